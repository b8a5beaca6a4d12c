package io.agcgateway.proxy;

import io.vertx.core.Vertx;
import java.util.function.Supplier;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;

/** Route step {@code proxyRetryWait}: waits {@code proxyWaitMs} on a Vert.x timer (never a sleeping thread). */
public final class ProxyRetryWait extends AsyncProcessorSupport implements AsyncProcessor {
    private final Supplier<Vertx> vertx;

    public ProxyRetryWait(Supplier<Vertx> vertx) {
        this.vertx = vertx;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        ProxyCall call = exchange.getProperty(ProxyCall.PROPERTY, ProxyCall.class);
        long wait = Math.max(1, exchange.getVariable(ProxyDecide.WAIT, 1L, Long.class));
        // on the caller's event loop: the timer fires there and the next attempt starts there
        vertx.get().setTimer(wait, id -> {
            call.waited(wait);
            callback.done(false);
        });
        return false;
    }
}
