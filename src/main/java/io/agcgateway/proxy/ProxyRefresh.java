package io.agcgateway.proxy;

import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;

/**
 * Route step {@code proxyRefresh}: after an upstream 401, one forced refresh (the token may have been revoked or
 * rotated on another node), off the event loop; the loop then replays the call with the new token.
 */
public final class ProxyRefresh extends AsyncProcessorSupport implements AsyncProcessor {
    private final TokenCache tokens;
    private final BlockingSteps blocking;

    public ProxyRefresh(TokenCache tokens, BlockingSteps blocking) {
        this.tokens = tokens;
        this.blocking = blocking;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        ProxyCall call = exchange.getProperty(ProxyCall.PROPERTY, ProxyCall.class);
        TokenCache.Entry stale = call.entry();
        blocking.run(() -> tokens.forceRefresh(stale)).onComplete(r -> {
            if (r.succeeded()) {
                call.tokenRefreshed(r.result());
            } else {
                exchange.setException(r.cause() instanceof Exception e ? e : new RuntimeException(r.cause()));
            }
            callback.done(false);
        });
        return false;
    }
}
