package io.agcgateway.http.vertx;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultAsyncProducer;

/**
 * Sends the message upstream and answers with the status, the headers and a paused {@link HttpClientResponse} as the
 * body. Request: method {@code CamelHttpMethod}, raw path {@code CamelHttpPath} and raw query {@code CamelHttpRawQuery}
 * (sent as they are, never re-encoded), every other non-Camel header as a request header, body {@code null},
 * {@link Buffer}, {@code byte[]} or {@code ReadStream<Buffer>} (piped with back-pressure). The client request is kept
 * in the exchange property {@link #CLIENT_REQUEST} so a caller that goes away can reset it. Completes on the Vert.x
 * context it was called from.
 */
final class UpstreamProducer extends DefaultAsyncProducer {
    static final String CLIENT_REQUEST = "upstreamClientRequest";

    private final UpstreamEndpoint endpoint;

    UpstreamProducer(UpstreamEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        RequestOptions options;
        Object body;
        try {
            Message m = exchange.getMessage();
            options = options(m);
            body = m.getBody();
        } catch (RuntimeException e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        UpstreamComponent component = endpoint.getComponent();
        IdleWatch[] watch = new IdleWatch[1];
        component.client().request(options).compose(req -> {
            exchange.setProperty(CLIENT_REQUEST, req);
            long idleMs = component.idleTimeoutMs();
            watch[0] = component.idleWatches().watch(component.vertx(), () -> req.reset(0,
                    new TimeoutException("nothing sent or received for " + idleMs + " ms")));
            return send(req, body, watch[0]);
        }).onComplete(ar -> {
            if (ar.failed()) {
                if (watch[0] != null) {
                    watch[0].stop();
                }
                exchange.setException(translate(ar.cause()));
            } else {
                watch[0].touch();
                answer(exchange.getMessage(), ar.result(), watch[0]);
            }
            callback.done(false);
        });
        return false;
    }

    private RequestOptions options(Message m) {
        Object method = m.getHeader(Exchange.HTTP_METHOD);
        String path = m.getHeader(Exchange.HTTP_PATH, "", String.class);
        String query = m.getHeader(Exchange.HTTP_RAW_QUERY, String.class);
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        for (Map.Entry<String, Object> h : m.getHeaders().entrySet()) {
            String name = h.getKey();
            if (name.regionMatches(true, 0, "Camel", 0, 5)) {
                continue;
            }
            if (h.getValue() instanceof Iterable<?> values) {
                for (Object v : values) {
                    headers.add(name, String.valueOf(v));
                }
            } else if (h.getValue() != null) {
                headers.add(name, String.valueOf(h.getValue()));
            }
        }
        return new RequestOptions()
                .setMethod(HttpMethod.valueOf(method == null ? "GET" : method.toString()))
                .setSsl(endpoint.ssl).setHost(endpoint.host).setPort(endpoint.port)
                .setURI(endpoint.basePath + (path.isEmpty() ? "/" : path) + (query == null || query.isEmpty() ? "" : "?" + query))
                .setHeaders(headers)
                .setConnectTimeout(endpoint.getComponent().leaseTimeoutMs());
    }

    @SuppressWarnings("unchecked")
    private static Future<HttpClientResponse> send(HttpClientRequest req, Object body, IdleWatch watch) {
        if (body == null) {
            return req.send();
        }
        if (body instanceof Buffer b) {
            return req.send(b);
        }
        if (body instanceof byte[] bytes) {
            return req.send(Buffer.buffer(bytes));
        }
        if (body instanceof ReadStream<?> rs) {
            if (req.headers().get("Content-Length") == null) {
                req.setChunked(true);
            }
            upload((ReadStream<Buffer>) rs, req, watch);
            return req.response();
        }
        req.reset();
        return Future.failedFuture(new IllegalArgumentException("upstream: cannot send a body of type " + body.getClass().getName()));
    }

    /**
     * Not req.send(stream): its pipe ends the request when the source fails, so a chunked body cut by a caller that
     * went away would reach the provider with a clean last chunk; here a failed source resets the request instead.
     * Each chunk counts as progress for the idle watch; a full write queue pauses the caller (back-pressure).
     */
    private static void upload(ReadStream<Buffer> src, HttpClientRequest req, IdleWatch watch) {
        src.exceptionHandler(e -> req.reset(0, e));
        src.endHandler(v -> req.end());
        src.handler(chunk -> {
            watch.touch();
            req.write(chunk);
            if (req.writeQueueFull()) {
                src.pause();
                req.drainHandler(v -> src.resume());
            }
        });
        src.resume();
    }

    private static void answer(Message m, HttpClientResponse res, IdleWatch watch) {
        res.pause(); // the route decides how the body is read: relayed as a stream, or collected when small
        m.removeHeaders("*");
        for (String name : res.headers().names()) {
            List<String> values = res.headers().getAll(name);
            m.setHeader(name, values.size() == 1 ? values.get(0) : new ArrayList<>(values));
        }
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, res.statusCode());
        m.setBody(new UpstreamAnswer(res, watch));
    }

    /** Pool exhaustion is its own failure: the provider was never asked. */
    private static Throwable translate(Throwable t) {
        if (t instanceof ConnectionPoolTooBusyException
                || t instanceof TimeoutException && String.valueOf(t.getMessage()).contains("getting a connection")) {
            return new UpstreamBusyException("no free upstream connection", t);
        }
        return t;
    }
}
