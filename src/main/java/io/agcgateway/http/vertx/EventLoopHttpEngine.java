package io.agcgateway.http.vertx;

import io.vertx.core.Vertx;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * A platform-http engine whose consumer runs the route on the Vert.x event loop that received the request, as an
 * asynchronous exchange: no worker thread is held while the route waits (the stock consumer runs every exchange inside
 * {@code executeBlocking}). A route that selects it ({@code platformHttpEngine: "#eventLoopHttpEngine"}) must be
 * non-blocking in every step; blocking work offloads itself (see {@code BlockingSteps}) and comes back to the loop.
 */
public final class EventLoopHttpEngine extends VertxPlatformHttpEngine {
    /**
     * Exchange property a route sets when it reads or pipes the request body itself. Otherwise an unread body is
     * drained (or, when large, the connection closed) after the answer, so it never stalls the next request.
     */
    public static final String BODY_TAKEN = "platformHttpBodyTaken";
    private final int port;

    public EventLoopHttpEngine(CamelContext context, int port) {
        this.port = port;
        setCamelContext(context);
    }

    @Override
    protected void doInit() {
        // unlike the default engine, this one does not register itself as the engine of every platform-http endpoint
    }

    /** The consumer serves on the main platform-http server of the endpoint's own context (any camel-main app). */
    @Override
    public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
        String name = null;
        for (var e : endpoint.getCamelContext().getRegistry().findByTypeWithName(VertxPlatformHttpRouter.class).entrySet()) {
            if (name == null || e.getValue().isMainServer()) {
                name = e.getKey();
            }
        }
        return new EventLoopHttpConsumer(endpoint, processor, name != null ? name : VertxPlatformHttpRouter.getRouterNameFromPort(port));
    }

    /** The Vert.x instance of the platform-http server on this engine's port. */
    public Vertx vertx() {
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(getCamelContext(),
                VertxPlatformHttpRouter.getRouterNameFromPort(port));
        if (router == null) {
            router = VertxPlatformHttpRouter.lookup(getCamelContext());
        }
        if (router == null) {
            throw new IllegalStateException("platform-http router not found for port " + getServerPort());
        }
        return router.vertx();
    }
}
