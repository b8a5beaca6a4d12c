package io.agcgateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The proxy's bulkhead for blocking work (a token-cache miss reads the database and may refresh; an upstream 401
 * forces a refresh). Its own small pool: proxy load never takes the workers that serve the API and health, and a
 * result comes back on the event loop that asked.
 */
public final class BlockingSteps implements AutoCloseable {
    private final Supplier<Vertx> vertx;
    private final int threads;
    private volatile WorkerExecutor executor;

    public BlockingSteps(Supplier<Vertx> vertx, int threads) {
        this.vertx = vertx;
        this.threads = threads;
    }

    <T> Future<T> run(Callable<T> work) {
        WorkerExecutor e = executor;
        if (e == null) {
            synchronized (this) {
                if (executor == null) {
                    executor = vertx.get().createSharedWorkerExecutor("proxy-blocking", threads);
                }
                e = executor;
            }
        }
        return e.executeBlocking(work, false);
    }

    @Override
    public void close() {
        WorkerExecutor e = executor;
        if (e != null) {
            e.close();
        }
    }
}
