package io.agcgateway.proxy;

import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import io.agcgateway.http.vertx.VertxAnswer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.AsyncProcessorSupport;

/**
 * Route step {@code proxyRefresh}: after an upstream 401, off the event loop, a newer token (another node rotated
 * it) or one forced refresh, and the loop replays the call. When the token is younger than
 * {@code gateway.proxy.refresh-on-401-min-age} the 401 that is still held is relayed instead (see
 * {@link TokenCache#afterUnauthorized}).
 */
public final class ProxyRefresh extends AsyncProcessorSupport implements AsyncProcessor {
    private final TokenCache tokens;
    private final BlockingSteps blocking;
    private final long minAgeMs;

    public ProxyRefresh(TokenCache tokens, BlockingSteps blocking, long minAgeMs) {
        this.tokens = tokens;
        this.blocking = blocking;
        this.minAgeMs = minAgeMs;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        ProxyCall call = exchange.getProperty(ProxyCall.PROPERTY, ProxyCall.class);
        TokenCache.Entry stale = call.entry();
        Message m = exchange.getMessage();
        blocking.run(() -> tokens.afterUnauthorized(stale, minAgeMs)).onComplete(r -> {
            if (r.succeeded() && r.result() == null) {
                call.refreshDeclined();
                exchange.setVariable(ProxyDecide.DECISION, AttemptDecision.RELAY); // the held 401 is the answer
            } else {
                VertxAnswer.release(m.getBody());
                m.setBody(null);
                if (r.succeeded()) {
                    call.tokenRefreshed(r.result());
                } else {
                    exchange.setException(r.cause() instanceof Exception e ? e : new RuntimeException(r.cause()));
                }
            }
            callback.done(false);
        });
        return false;
    }
}
