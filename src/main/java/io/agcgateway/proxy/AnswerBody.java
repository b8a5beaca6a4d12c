package io.agcgateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.agcgateway.http.vertx.UpstreamAnswer;
import io.vertx.core.streams.ReadStream;

/**
 * The provider's answer body as the caller will get it. A small one (at most {@code limit} bytes) is read inside the
 * attempt, so a provider that breaks off mid-body is retried (with Retries) or answered as a clear 502 instead of a
 * truncated relay. A larger one is relayed as it arrives: the bytes already read lead, the rest follows from the
 * paused response with back-pressure ({@link Prefixed}).
 */
final class AnswerBody {
    private AnswerBody() {
    }

    static Future<Object> read(UpstreamAnswer res, int limit) {
        String cl = res.header("Content-Length");
        if (cl != null) {
            try {
                if (Long.parseLong(cl.trim()) > limit) {
                    return Future.succeededFuture(res);
                }
            } catch (NumberFormatException e) {
                return Future.succeededFuture(res);
            }
        }
        Promise<Object> p = Promise.promise();
        Buffer head = Buffer.buffer();
        res.exceptionHandler(p::tryFail);
        res.endHandler(v -> p.tryComplete(head));
        res.handler(chunk -> {
            head.appendBuffer(chunk);
            if (head.length() > limit) {
                res.pause();
                res.handler(null);
                res.endHandler(null);
                res.exceptionHandler(null);
                p.tryComplete(new Prefixed(head, res));
            }
        });
        res.resume();
        return p.future();
    }

    /** A read stream that emits {@code head} first, then whatever {@code rest} delivers. */
    static final class Prefixed implements ReadStream<Buffer>, AutoCloseable {
        final UpstreamAnswer rest;
        private Buffer head;
        private Handler<Buffer> handler;
        private long demand = Long.MAX_VALUE;

        Prefixed(Buffer head, UpstreamAnswer rest) {
            this.head = head;
            this.rest = rest;
        }

        @Override
        public ReadStream<Buffer> exceptionHandler(Handler<Throwable> h) {
            rest.exceptionHandler(h);
            return this;
        }

        @Override
        public ReadStream<Buffer> handler(Handler<Buffer> h) {
            this.handler = h;
            rest.handler(h);
            deliverHead();
            return this;
        }

        @Override
        public ReadStream<Buffer> pause() {
            demand = 0;
            rest.pause();
            return this;
        }

        @Override
        public ReadStream<Buffer> resume() {
            return fetch(Long.MAX_VALUE);
        }

        @Override
        public ReadStream<Buffer> fetch(long amount) {
            demand = amount;
            if (!deliverHead()) {
                return this;
            }
            if (amount == Long.MAX_VALUE) {
                rest.resume();
            } else {
                rest.fetch(amount);
            }
            return this;
        }

        @Override
        public ReadStream<Buffer> endHandler(Handler<Void> h) {
            rest.endHandler(h);
            return this;
        }

        /** @return true once the head is out and the rest may flow */
        private boolean deliverHead() {
            if (head == null) {
                return true;
            }
            if (handler == null || demand == 0) {
                return false;
            }
            Buffer b = head;
            head = null;
            if (demand != Long.MAX_VALUE) {
                demand--;
            }
            handler.handle(b);
            return true;
        }

        /** The caller went away or the relay failed: the upstream connection cannot be reused half-read. */
        @Override
        public void close() {
            rest.close();
        }
    }
}
