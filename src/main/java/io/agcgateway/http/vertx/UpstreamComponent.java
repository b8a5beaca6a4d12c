package io.agcgateway.http.vertx;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import java.time.Duration;
import java.util.Map;
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
 */
public final class UpstreamComponent extends DefaultComponent {
    private final Supplier<Vertx> vertx;
    private final int maxConnections;
    private final int maxWaiting;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final Duration leaseTimeout;
    private volatile HttpClient client;
    private final IdleWatch.Sweeper idleWatches;

    public UpstreamComponent(Supplier<Vertx> vertx, int maxConnections, int maxWaiting, Duration connectTimeout,
                             Duration idleTimeout, Duration leaseTimeout) {
        this.vertx = vertx;
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

    HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    client = vertx.get().createHttpClient(new HttpClientOptions()
                            .setMaxPoolSize(maxConnections)
                            .setMaxWaitQueueSize(maxWaiting)
                            .setConnectTimeout((int) connectTimeout.toMillis())
                            .setKeepAlive(true)
                            .setKeepAliveTimeout(60)
                            .setPoolCleanerPeriod(5_000)
                            // answers are relayed as they are: no Accept-Encoding added, nothing inflated
                            .setTryUseCompression(false)
                            .setVerifyHost(true));
                }
                c = client;
            }
        }
        return c;
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
        HttpClient c = client;
        client = null;
        if (c != null) {
            idleWatches.close(vertx.get());
            c.close();
        }
        super.doStop();
    }
}
