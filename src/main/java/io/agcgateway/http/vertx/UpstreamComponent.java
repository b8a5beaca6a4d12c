package io.agcgateway.http.vertx;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * {@code upstream:<base URL>}: an asynchronous, streaming HTTP client endpoint on the platform-http server's Vert.x
 * instance, one endpoint per base URL (the path and query travel in {@code CamelHttpPath} / {@code CamelHttpRawQuery}).
 * <p>
 * camel-vertx-http is not used for the proxy because its producer buffers whole answers (Vert.x WebClient), completes
 * every answer through {@code executeBlocking}, and its binding re-encodes the query and sends the decoded path. This
 * one sends the raw path and query, the message's headers as they are, and answers with a paused
 * {@code HttpClientResponse} as the body for the route to relay as a stream.
 * <p>
 * Connections are pooled per host and port ({@code maxConnections} each); a caller waits at most {@code leaseTimeout}
 * for one, in a queue of at most {@code maxWaiting}; either failure is {@link UpstreamBusyException}.
 * <p>
 * Each event loop has a client of its own, with its share of those limits: its connections live on that loop, so an
 * answer is handled on the loop that sent the request. One client for all loops lent a connection of one loop to a
 * call on another, and every such answer was handed over between the loops (a quarter of the proxy's CPU ran as
 * those hand-overs at 64 callers on 2 loops). A call from outside an event loop uses one more client.
 */
public final class UpstreamComponent extends DefaultComponent {
    private final Supplier<Vertx> vertx;
    private final int maxConnections;
    private final int maxWaiting;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final Duration leaseTimeout;
    /** Event loops that carry calls (the server instances): each loop's client gets this share of the limits. */
    private final int loops;
    /** The client of each event-loop thread (at most one per loop); the key {@link #OFF_LOOP} holds the other one. */
    private final Map<Object, HttpClient> clients = new ConcurrentHashMap<>();
    private static final Object OFF_LOOP = new Object();
    private final IdleWatch.Sweeper idleWatches;

    public UpstreamComponent(Supplier<Vertx> vertx, int loops, int maxConnections, int maxWaiting, Duration connectTimeout,
                             Duration idleTimeout, Duration leaseTimeout) {
        this.vertx = vertx;
        this.loops = Math.max(1, loops);
        this.maxConnections = maxConnections;
        this.maxWaiting = maxWaiting;
        this.connectTimeout = connectTimeout;
        this.idleTimeout = idleTimeout;
        this.leaseTimeout = leaseTimeout;
        this.idleWatches = new IdleWatch.Sweeper(idleTimeout.toMillis());
    }

    IdleWatch.Sweeper idleWatches() {
        return idleWatches;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        return new UpstreamEndpoint(uri, this, remaining);
    }

    /** The calling event loop's client (created on its first call), or the one for calls from other threads. */
    HttpClient client() {
        boolean onLoop = Context.isOnEventLoopThread();
        Object key = onLoop ? Thread.currentThread() : OFF_LOOP;
        HttpClient c = clients.get(key);
        return c != null ? c : clients.computeIfAbsent(key, k -> newClient(onLoop ? loops : 1));
    }

    private HttpClient newClient(int shares) {
        return vertx.get().createHttpClient(new HttpClientOptions()
                .setMaxPoolSize(ceilDiv(maxConnections, shares))
                .setMaxWaitQueueSize(ceilDiv(maxWaiting, shares))
                .setConnectTimeout((int) connectTimeout.toMillis())
                .setKeepAlive(true)
                .setKeepAliveTimeout(60)
                .setPoolCleanerPeriod(5_000)
                // answers are relayed as they are: no Accept-Encoding added, nothing inflated
                .setTryUseCompression(false)
                .setVerifyHost(true));
    }

    private static int ceilDiv(int n, int d) {
        return n == 0 ? 0 : (n + d - 1) / d;
    }

    Vertx vertx() {
        return vertx.get();
    }

    long idleTimeoutMs() {
        return idleTimeout.toMillis();
    }

    long leaseTimeoutMs() {
        return leaseTimeout.toMillis();
    }

    @Override
    protected void doStop() throws Exception {
        if (!clients.isEmpty()) {
            idleWatches.close(vertx.get());
            clients.values().forEach(HttpClient::close);
            clients.clear();
        }
        super.doStop();
    }
}
