package io.agcgateway.publisher;

import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes WebSocket upgrades on the API's own port at gateway.websockets.path (the SDK's default is "/", where the
 * dashboard lives): a Vert.x route ordered before every platform-http consumer that upgrades only requests with
 * {@code Upgrade: websocket} and passes all others on, so GET / still serves the dashboard. Any Origin is accepted,
 * as Nango's server does: the socket carries no credentials and only learns the outcome of a flow it started.
 */
public final class WebSocketUpgrade implements StartupListener {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketUpgrade.class);

    private final int port;
    private final String path;
    private final WebSocketRegistry sockets;

    public WebSocketUpgrade(int port, String path, WebSocketRegistry sockets) {
        this.port = port;
        this.path = path;
        this.sockets = sockets;
    }

    @Override
    public void onCamelContextStarted(CamelContext ctx, boolean alreadyStarted) {
        // the platform-http router exists once the context is fully started
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext ctx, boolean alreadyStarted) {
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(ctx, VertxPlatformHttpRouter.getRouterNameFromPort(port));
        if (router == null) {
            throw new IllegalStateException("the platform-http router of port " + port + " is not running");
        }
        router.route(path).order(Integer.MIN_VALUE).handler(this::upgrade);
        LOG.info("WebSocket publisher on {}", path);
    }

    private void upgrade(RoutingContext rc) {
        if (!"websocket".equalsIgnoreCase(rc.request().getHeader("Upgrade"))) {
            rc.next();
            return;
        }
        rc.request().toWebSocket()
                .onSuccess(ws -> sockets.open(ws, rc.vertx()))
                .onFailure(e -> LOG.info("websocket upgrade refused: {}", e.getMessage()));
    }
}
