package io.agcgateway.refresh;

import io.agcgateway.connections.Connection;
import io.agcgateway.connections.Refresher;
import io.agcgateway.http.GatewayException;
import io.agcgateway.http.HttpReply;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * The Refresher that takes a due refresh through direct:refresh-connection, the one refresh path shared with the
 * sweep and the connections API, so every refresh is visible and measured as that route. A connection that needs
 * no refresh is answered here without a hop.
 */
public final class RouteRefresher implements Refresher {
    public static final String ROUTE = "direct:refresh-connection";

    private final RefreshService refresh;
    private final Supplier<CamelContext> camel;
    private volatile ProducerTemplate template;

    /** @param camel the running CamelContext, where the route is */
    public RouteRefresher(RefreshService refresh, Supplier<CamelContext> camel) {
        this.refresh = refresh;
        this.camel = camel;
    }

    @Override
    public Connection ensureFresh(Connection c, boolean force) {
        Connection served = refresh.withoutRefresh(c, force);
        return served != null ? served : viaRoute(c, force);
    }

    @Override
    public Connection withoutRefresh(Connection c, boolean force) {
        return refresh.withoutRefresh(c, force);
    }

    private Connection viaRoute(Connection c, boolean force) {
        Exchange ex = template().send(ROUTE, e -> {
            e.getMessage().setBody(c);
            e.setProperty(RefreshConnection.FORCE, force);
        });
        Exception failure = ex.getException();
        if (failure != null) {
            GatewayException ge = HttpReply.unwrap(failure);
            if (ge != null) {
                throw ge;
            }
            throw failure instanceof RuntimeException re ? re : new IllegalStateException(failure);
        }
        return ex.getMessage().getBody(Connection.class);
    }

    private ProducerTemplate template() {
        ProducerTemplate t = template;
        if (t == null) {
            t = template = camel.get().createProducerTemplate();
        }
        return t;
    }
}
