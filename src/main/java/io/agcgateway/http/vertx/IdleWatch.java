package io.agcgateway.http.vertx;

import io.vertx.core.Vertx;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fires once when nothing moved for {@code timeoutMs}: no byte uploaded, no answer head, no byte of the answer taken
 * by whoever reads it. A caller that stops reading stops the answer (back-pressure), so it trips this too.
 * <p>
 * Watches are checked by one periodic sweep per {@link Sweeper} (every eighth of the timeout, at most 1 s), not by a
 * timer per call: a timer set and cancelled on every proxied call costs more than the sweep over the calls in flight.
 */
final class IdleWatch {
    private final Sweeper sweeper;
    private final long timeoutNanos;
    private final Runnable onIdle;
    private volatile long last = System.nanoTime();
    private volatile boolean stopped;

    private IdleWatch(Sweeper sweeper, long timeoutMs, Runnable onIdle) {
        this.sweeper = sweeper;
        this.timeoutNanos = timeoutMs * 1_000_000;
        this.onIdle = onIdle;
    }

    void touch() {
        last = System.nanoTime();
    }

    void stop() {
        if (!stopped) {
            stopped = true;
            sweeper.watches.remove(this);
        }
    }

    /** The calls in flight of one component and the timer that checks them. */
    static final class Sweeper {
        private final Set<IdleWatch> watches = ConcurrentHashMap.newKeySet();
        private final long timeoutMs;
        private volatile long timer = -1;

        Sweeper(long timeoutMs) {
            this.timeoutMs = timeoutMs;
        }

        IdleWatch watch(Vertx vertx, Runnable onIdle) {
            if (timer < 0) {
                start(vertx);
            }
            IdleWatch w = new IdleWatch(this, timeoutMs, onIdle);
            watches.add(w);
            return w;
        }

        private synchronized void start(Vertx vertx) {
            if (timer < 0) {
                timer = vertx.setPeriodic(Math.max(10, Math.min(1000, timeoutMs / 8)), id -> sweep());
            }
        }

        private void sweep() {
            long now = System.nanoTime();
            for (IdleWatch w : watches) {
                if (!w.stopped && now - w.last >= w.timeoutNanos) {
                    w.stop();
                    w.onIdle.run();
                }
            }
        }

        void close(Vertx vertx) {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
            watches.clear();
        }
    }
}
