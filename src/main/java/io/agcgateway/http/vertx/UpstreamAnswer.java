package io.agcgateway.http.vertx;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.streams.ReadStream;

/**
 * The body of an upstream answer as the route sees it: the paused Vert.x response, watched for idleness (each chunk
 * taken counts as progress). {@link #close()} gives up on it: the request is reset and its connection is not reused.
 */
public final class UpstreamAnswer implements ReadStream<Buffer>, AutoCloseable {
    private final HttpClientResponse response;
    private final IdleWatch watch;

    UpstreamAnswer(HttpClientResponse response, IdleWatch watch) {
        this.response = response;
        this.watch = watch;
        response.exceptionHandler(e -> watch.stop());
        response.endHandler(v -> watch.stop());
    }

    public String header(String name) {
        return response.getHeader(name);
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> h) {
        response.exceptionHandler(e -> {
            watch.stop();
            if (h != null) {
                h.handle(e);
            }
        });
        return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> h) {
        response.handler(h == null ? null : chunk -> {
            watch.touch();
            h.handle(chunk);
        });
        return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
        response.pause();
        return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
        response.resume();
        return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
        response.fetch(amount);
        return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> h) {
        response.endHandler(v -> {
            watch.stop();
            if (h != null) {
                h.handle(null);
            }
        });
        return this;
    }

    @Override
    public void close() {
        watch.stop();
        try {
            response.exceptionHandler(e -> { }); // the reset below is ours: nothing to report
        } catch (IllegalStateException ended) {
            // the answer already ended or failed: only the reset is left to do
        }
        response.request().reset();
    }
}
