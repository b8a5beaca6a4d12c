package io.agcgateway.proxy;

import io.agcgateway.http.GatewayException;
import io.agcgateway.http.vertx.EventLoopHttpEngine;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;

/**
 * The caller's request body, whatever its content type (multipart and forms included: platform-http leaves it
 * unread, useBodyHandler=false). A small body with a known length is read into memory: it is replayable after a 401
 * or for Retries. Anything else is piped upstream once, as it arrives, with back-pressure (the caller's socket holds
 * what the provider has not taken yet). A caller that goes away mid-upload resets the upstream request, so the
 * provider never sees a cut body that looks complete.
 */
final class ProxyBody {
    private static final AtomicInteger OPEN = new AtomicInteger();

    private ProxyBody() {
    }

    /** Streamed bodies not finished yet (tests: none may be left behind). */
    static int open() {
        return OPEN.get();
    }

    static Future<Void> take(Exchange exchange, ProxyCall call, int replayLimit, io.vertx.core.Vertx vertx, long bodyTimeoutMs) {
        HttpServerRequest req = call.caller;
        long length = ProxyRequest.contentLength(req.headers());
        boolean http2 = req.version() == HttpVersion.HTTP_2;
        // RFC 9112 §6.3: without Content-Length or Transfer-Encoding an HTTP/1.1 request has no body; HTTP/2 frames
        // tell only as they arrive, so a body method over HTTP/2 without a length is treated as streaming one
        boolean hasBody = length > 0 || length < 0 && (req.headers().contains("Transfer-Encoding")
                || http2 && bodyMethod(call.method) && !req.isEnded());
        if (!hasBody) {
            if (length == 0 && bodyMethod(call.method)) {
                call.bodyKept(io.vertx.core.buffer.Buffer.buffer(0)); // POST/PUT/PATCH still say Content-Length: 0
            }
            return Future.succeededFuture();
        }
        exchange.setProperty(EventLoopHttpEngine.BODY_TAKEN, true);
        if (!http2 && "100-continue".equalsIgnoreCase(req.getHeader("Expect"))) {
            // RFC 9110 §10.1.1: the body will be read; without this curl waits a second before sending it
            req.response().writeContinue();
        }
        if (length >= 0 && length <= replayLimit) {
            Future<io.vertx.core.buffer.Buffer> body = req.body();
            req.resume();
            if (bodyTimeoutMs > 0 && !body.isComplete()) {
                // a caller that declares a body and stops sending it: without this it held the call until the connection's
                // idle timeout (75 s); the idle watch only starts once the upstream call does
                long timer = vertx.setTimer(bodyTimeoutMs, t -> {
                    if (!body.isComplete()) {
                        if (http2) {
                            req.response().reset();
                        } else {
                            req.connection().close();
                        }
                    }
                });
                body.onComplete(done -> vertx.cancelTimer(timer));
            }
            return body.<Void>map(b -> {
                call.bodyKept(b);
                return null;
            }).recover(e -> Future.failedFuture(new GatewayException(400, "invalid_body",
                    "The request body could not be read: the caller stopped sending it.")));
        }
        call.bodyStreamed();
        OPEN.incrementAndGet();
        AtomicInteger once = new AtomicInteger();
        Runnable closed = () -> {
            if (once.getAndIncrement() == 0) {
                OPEN.decrementAndGet();
            }
        };
        exchange.getExchangeExtension().addOnCompletion(new org.apache.camel.support.SynchronizationAdapter() {
            @Override
            public void onDone(Exchange e) {
                closed.run();
            }
        });
        req.connection().closeHandler(v -> closed.run());
        return Future.succeededFuture();
    }

    static boolean bodyMethod(String method) {
        return method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
    }
}
