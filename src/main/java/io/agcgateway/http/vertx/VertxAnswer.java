package io.agcgateway.http.vertx;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.streams.ReadStream;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.TypeConverter;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.apache.camel.support.MessageHelper;
import org.apache.camel.support.ObjectHelper;
import org.apache.camel.support.http.HttpUtil;

/**
 * Writes a finished exchange as the HTTP answer, on the event loop: status, the headers the filter lets through, and
 * the body. A {@code ReadStream<Buffer>} body (an upstream answer) is piped with back-pressure: when the caller reads
 * slowly the source is paused; when the caller goes away an upstream HTTP answer is reset at once, and when the source
 * breaks off the caller's connection is closed (its status is already sent, so a clean end would look complete).
 */
public final class VertxAnswer {
    private VertxAnswer() {
    }

    public static Future<Void> write(RoutingContext ctx, Exchange exchange, HeaderFilterStrategy filter) {
        HttpServerResponse response = ctx.response();
        Message message = exchange.getMessage();
        Object body = message.getBody();
        if (response.ended() || response.closed()) {
            release(body);
            return Future.succeededFuture();
        }
        Exception failure = exchange.getException();
        if (failure != null) {
            // every route maps its errors in the routeConfiguration; an unmapped one never shows its stack trace
            release(body);
            return response.setStatusCode(500).putHeader("Content-Type", "application/json")
                    .end("{\"error\":{\"code\":\"server_error\",\"message\":\"An unexpected error occurred.\"}}");
        }
        response.setStatusCode(HttpUtil.determineResponseCode(exchange, body));
        headers(response, ctx.pathParams(), message, filter, exchange);
        String contentType = MessageHelper.getContentType(message);
        if (contentType != null) {
            response.putHeader("Content-Type", contentType);
        }
        if (body == null) {
            return response.end();
        }
        if (body instanceof Buffer b) {
            return response.end(b);
        }
        if (body instanceof String s) {
            return response.end(s);
        }
        if (body instanceof byte[] bytes) {
            return response.end(Buffer.buffer(bytes));
        }
        if (body instanceof ReadStream<?> rs) {
            @SuppressWarnings("unchecked")
            ReadStream<Buffer> stream = (ReadStream<Buffer>) rs;
            return pipe(stream, ctx.request(), response);
        }
        byte[] converted = exchange.getContext().getTypeConverter().tryConvertTo(byte[].class, exchange, body);
        return response.end(converted == null ? Buffer.buffer(String.valueOf(body).getBytes(StandardCharsets.UTF_8))
                : Buffer.buffer(converted));
    }

    private static Future<Void> pipe(ReadStream<Buffer> source, HttpServerRequest request, HttpServerResponse response) {
        if (response.headers().get("Content-Length") == null) {
            response.setChunked(true);
        }
        Promise<Void> done = Promise.promise();
        response.closeHandler(v -> {
            release(source); // the caller went away: stop the upstream answer now, not at its idle timeout
            done.tryFail("caller closed the connection");
        });
        source.pipe().endOnFailure(false).to(response).onComplete(r -> {
            if (r.failed()) {
                release(source);
                // a cut answer must not look complete: RST the HTTP/2 stream, close an HTTP/1.1 connection
                if (request.version() == HttpVersion.HTTP_2) {
                    response.reset();
                } else {
                    abort(request.connection());
                }
                done.tryFail(r.cause());
            } else {
                done.tryComplete();
            }
        });
        return done.future();
    }

    /**
     * Closes an HTTP/1.1 connection now. Vert.x's close() first flushes what is queued, which never completes when the
     * caller stopped reading; the Netty channel's close() drops the queue (the file descriptor is freed at once).
     */
    static void abort(HttpConnection connection) {
        if (connection instanceof ConnectionBase base) {
            // like nginx's reset_timedout_connection: an RST frees the socket and its queued bytes at once
            // (the pipeline's close() waits for queued bytes to flush: the transport is closed directly)
            Channel ch = base.channel();
            if (ch.isOpen()) {
                try {
                    ch.config().setOption(ChannelOption.SO_LINGER, 0);
                } catch (RuntimeException alreadyClosed) {
                    // closed in between: nothing to free
                }
                ch.eventLoop().execute(() -> ch.unsafe().close(ch.voidPromise()));
            }
        } else {
            connection.close();
        }
    }

    /** Gives an upstream answer's connection back (reset: it cannot be reused half-read). */
    public static void release(Object body) {
        try {
            releaseOrThrow(body);
        } catch (RuntimeException alreadyDone) {
            // a response that ended or failed meanwhile refuses new handlers: nothing is left to give back
        }
    }

    private static void releaseOrThrow(Object body) {
        if (body instanceof HttpClientResponse r) {
            r.exceptionHandler(e -> { });
            r.request().reset();
        } else if (body instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // nothing more to free
            }
        }
    }

    private static void headers(HttpServerResponse response, Map<String, String> pathParams, Message message,
                                HeaderFilterStrategy filter, Exchange exchange) {
        if (filter == null) {
            return;
        }
        TypeConverter tc = exchange.getContext().getTypeConverter();
        for (Map.Entry<String, Object> e : message.getHeaders().entrySet()) {
            String key = e.getKey();
            if (pathParams.containsKey(key)) {
                continue;
            }
            Iterator<?> it = ObjectHelper.createIterator(e.getValue(), null, true);
            HttpUtil.applyHeader(filter, exchange, it, tc, key, (values, first) -> {
                if (values != null) {
                    response.putHeader(key, values);
                } else if (first != null) {
                    response.putHeader(key, first);
                }
            });
        }
    }

}
