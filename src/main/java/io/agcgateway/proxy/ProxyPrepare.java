package io.agcgateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.apache.camel.support.AsyncProcessorSupport;

/**
 * Route step {@code proxyPrepare}: admits the call, reads the caller's request into a {@link ProxyCall}, finds the
 * connection's token (from memory when fresh; a miss reads the database and maybe refreshes, off the event loop), and
 * takes the body. Sets the variable {@code proxyBase} that the route's toD names.
 */
public final class ProxyPrepare extends AsyncProcessorSupport implements AsyncProcessor {
    private final TokenCache tokens;
    private final BlockingSteps blocking;
    private final ProxyCallLog callLog;
    private final Clock clock;
    private final int maxRetries;
    private final int replayLimit;
    private final java.util.function.Supplier<io.vertx.core.Vertx> vertx;
    private final long bodyTimeoutMs;

    /** @param bodyTimeoutMs how long a small body the call keeps (for replays) may take to arrive (gateway.proxy.idle-timeout) */
    public ProxyPrepare(TokenCache tokens, BlockingSteps blocking, ProxyCallLog callLog, Clock clock, int maxRetries, int replayLimit,
            java.util.function.Supplier<io.vertx.core.Vertx> vertx, long bodyTimeoutMs) {
        this.vertx = vertx;
        this.bodyTimeoutMs = bodyTimeoutMs;
        this.tokens = tokens;
        this.blocking = blocking;
        this.callLog = callLog;
        this.clock = clock;
        this.maxRetries = maxRetries;
        this.replayLimit = replayLimit;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        ProxyCall call;
        try {
            if (!(exchange.getMessage() instanceof HttpMessage hm)) {
                throw new IllegalStateException("api-proxy needs a platform-http (Vert.x) consumer");
            }
            HttpServerRequest req = hm.getRequest();
            callLog.admit(exchange, req.method().name());
            call = ProxyRequest.read(req, clock.millis(), maxRetries);
            exchange.setProperty(ProxyCall.PROPERTY, call);
        } catch (RuntimeException e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        TokenCache.Entry cached = tokens.cached(call.integrationKey, call.connectionId);
        Future<TokenCache.Entry> entry = cached != null ? Future.succeededFuture(cached)
                : blocking.run(() -> tokens.get(call.integrationKey, call.connectionId));
        Future<Void> ready = entry.compose(e -> {
            String base = ProxyRequest.base(e, call.overrideBase);
            call.resolved(e, base, ProxyPath.resolve(ProxyRequest.relative(call.rawPath, base), e.config()),
                    CatalogHeaders.resolve(e.provider().proxyHeaders(), e.config()));
            exchange.setVariable("proxyBase", base);
            return ProxyBody.take(exchange, call, replayLimit, vertx.get(), bodyTimeoutMs);
        });
        if (ready.isComplete()) {
            finish(exchange, ready);
            callback.done(true);
            return true;
        }
        ready.onComplete(r -> {
            finish(exchange, ready);
            callback.done(false);
        });
        return false;
    }

    private static void finish(Exchange exchange, Future<Void> ready) {
        if (ready.failed()) {
            Throwable t = ready.cause();
            exchange.setException(t instanceof Exception e ? e : new RuntimeException(t));
        }
    }
}
