package io.agcgateway.http.vertx;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.util.Collections;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * platform-http's Vert.x consumer with one change: the exchange is processed asynchronously from the event loop, and
 * the answer is written on that loop when the route calls back. A body that is a Vert.x {@code ReadStream<Buffer>} is
 * piped to the caller with back-pressure both ways ({@link VertxAnswer}).
 */
final class EventLoopHttpConsumer extends VertxPlatformHttpConsumer {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoopHttpConsumer.class);
    private static final long DRAIN_LIMIT = 1 << 20;

    EventLoopHttpConsumer(PlatformHttpEndpoint endpoint, Processor processor, String routerName) {
        super(endpoint, processor, Collections.emptyList(), routerName);
    }

    /**
     * platform-http wraps this consumer in its own, and Camel tells only the wrapper which route it feeds: without the
     * route here, an exchange's from-route id stayed empty until its first processor, too late for the unit of work
     * created below (ProxyUnitOfWorkFactory picks the proxy's by it) and for the logs that name it.
     */
    @Override
    protected void doStart() throws Exception {
        for (Route route : getEndpoint().getCamelContext().getRoutes()) {
            if (route.getEndpoint() == getEndpoint()) {
                setRoute(route);
                setRouteId(route.getRouteId());
                break;
            }
        }
        super.doStart();
    }

    @Override
    protected void handleRequest(RoutingContext ctx) {
        if (isSuspended()) {
            ctx.response().setStatusCode(503).end();
            return;
        }
        Exchange exchange = createExchange(false);
        exchange.setPattern(ExchangePattern.InOut);
        Context loop = Vertx.currentContext();
        processHttpRequest(exchange, ctx).onComplete(read -> {
            if (read.failed()) {
                fail(ctx, exchange, read.cause());
                return;
            }
            try {
                createUoW(exchange);
            } catch (Exception e) {
                fail(ctx, exchange, e);
                return;
            }
            getAsyncProcessor().process(exchange, doneSync -> onLoop(loop, () -> answer(ctx, exchange)));
        });
    }

    private void answer(RoutingContext ctx, Exchange exchange) {
        VertxAnswer.write(ctx, exchange, getEndpoint().getHeaderFilterStrategy()).onComplete(written -> {
            if (written.failed()) {
                LOG.debug("answer not completely written; route={} reason={}", exchange.getFromRouteId(),
                        written.cause().getClass().getSimpleName());
                // whatever failed, a half-written answer must not leave the caller's connection open
                if (ctx.request().version() != HttpVersion.HTTP_2) {
                    VertxAnswer.abort(ctx.request().connection());
                } else if (!ctx.response().closed()) {
                    ctx.response().reset();
                }
            }
            unreadBody(ctx, exchange);
            done(exchange);
        });
    }

    /** A body nobody read (the call was refused first): small ones are discarded, large ones end the connection. */
    private static void unreadBody(RoutingContext ctx, Exchange exchange) {
        HttpServerRequest req = ctx.request();
        String length = req.getHeader("Content-Length");
        boolean declared = length != null || req.getHeader("Transfer-Encoding") != null || req.version() == HttpVersion.HTTP_2;
        if (!declared || req.isEnded() || exchange.getProperty(EventLoopHttpEngine.BODY_TAKEN) != null) {
            return;
        }
        boolean small = length != null && length.trim().matches("\\d{1,7}") && Long.parseLong(length.trim()) <= DRAIN_LIMIT;
        if (small || req.version() == HttpVersion.HTTP_2) {
            req.handler(b -> { });
            req.resume();
        } else {
            VertxAnswer.abort(req.connection());
        }
    }

    private void fail(RoutingContext ctx, Exchange exchange, Throwable cause) {
        getExceptionHandler().handleException("Failed handling platform-http endpoint " + getEndpoint().getPath(), cause);
        if (!ctx.response().ended() && !ctx.response().closed()) {
            ctx.response().setStatusCode(500).end();
        }
        done(exchange);
    }

    private void done(Exchange exchange) {
        doneUoW(exchange);
        releaseExchange(exchange, false);
    }

    /** Runs on the request's event loop: directly when already there, else scheduled there. */
    private static void onLoop(Context loop, Runnable r) {
        if (loop == null || Vertx.currentContext() == loop) {
            r.run();
        } else {
            loop.runOnContext(v -> r.run());
        }
    }
}
