package io.agcgateway.http.vertx;

import io.vertx.core.Vertx;

/**
 * Fires once when nothing moved for {@code timeoutMs}: no byte uploaded, no answer head, no byte of the answer taken
 * by whoever reads it. A caller that stops reading stops the answer (back-pressure), so it trips this too. One timer
 * per call, re-armed for the time left rather than on every chunk.
 */
final class IdleWatch {
    private final Vertx vertx;
    private final long timeoutMs;
    private final Runnable onIdle;
    private volatile long last = System.nanoTime();
    private long timer = -1;
    private boolean stopped;

    IdleWatch(Vertx vertx, long timeoutMs, Runnable onIdle) {
        this.vertx = vertx;
        this.timeoutMs = timeoutMs;
        this.onIdle = onIdle;
        arm(timeoutMs);
    }

    void touch() {
        last = System.nanoTime();
    }

    synchronized void stop() {
        stopped = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    private synchronized void arm(long delayMs) {
        if (!stopped) {
            timer = vertx.setTimer(Math.max(1, delayMs), id -> check());
        }
    }

    private void check() {
        long idleMs = (System.nanoTime() - last) / 1_000_000;
        synchronized (this) {
            if (stopped) {
                return;
            }
            if (idleMs < timeoutMs) {
                arm(timeoutMs - idleMs);
                return;
            }
            stopped = true;
            timer = -1;
        }
        onIdle.run();
    }
}
