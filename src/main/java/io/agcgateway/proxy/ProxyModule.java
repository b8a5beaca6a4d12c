package io.agcgateway.proxy;

import io.agcgateway.catalog.ProviderCatalog;
import io.agcgateway.config.GatewaySettings;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.integrations.IntegrationStore;
import io.agcgateway.logs.OperationLog;
import io.agcgateway.metrics.GatewayMetrics;
import io.agcgateway.refresh.RefreshService;
import java.time.Clock;
import java.time.Duration;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.util.Timeout;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.Registry;
import org.apache.camel.spi.StreamCachingStrategy;

/** Binds the proxy's beans (proxyService, tokenCache) and turns on spooling of large request bodies. */
public final class ProxyModule {
    private ProxyModule() {
    }

    public static void install(Main main, GatewaySettings settings, ProviderCatalog catalog, Clock clock) {
        ProxyService proxy = new ProxyService(
                new RetryPolicy(settings.duration("gateway.proxy.retry-base").toMillis(), settings.duration("gateway.proxy.retry-max-wait").toMillis()),
                settings.integer("gateway.proxy.replay-max-bytes", 0, 16 * 1024 * 1024),
                settings.integer("gateway.proxy.max-retries", 0, 20), clock, settings.duration("gateway.proxy.last-used-interval"),
                settings.duration("gateway.proxy.timeout"));
        main.bind("proxyService", proxy);
        // the route's steps as processors: Camel's bean binding (method lookup, parameter binding, reflection) on five
        // calls per proxied request measurably cost throughput (docs/BENCHMARKS.md)
        main.bind("proxyPrepare", (Processor) proxy::prepare);
        main.bind("proxyAttempt", (Processor) proxy::attempt);
        main.bind("proxyAfterAttempt", (Processor) proxy::afterAttempt);
        main.bind("proxyFailedAttempt", (Processor) proxy::failedAttempt);
        main.bind("proxyRespond", (Processor) proxy::respond);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport m) {
                Registry r = m.getCamelContext().getRegistry();
                TokenCache cache = new TokenCache(r.lookupByNameAndType("connectionStore", ConnectionStore.class),
                        r.lookupByNameAndType("integrationStore", IntegrationStore.class), catalog,
                        r.lookupByNameAndType("tokenCipher", TokenCipher.class),
                        r.lookupByNameAndType("refreshService", RefreshService.class),
                        r.lookupByNameAndType("gatewayMetrics", GatewayMetrics.class), clock,
                        settings.duration("gateway.proxy.token-cache-max-age"), settings.duration("gateway.refresh.margin"));
                r.bind("tokenCache", cache);
                proxy.wire(cache, r.lookupByNameAndType("connectionStore", ConnectionStore.class),
                        r.lookupByNameAndType("operationLog", OperationLog.class), r.lookupByNameAndType("gatewayMetrics", GatewayMetrics.class));
                upstreamClient(m.getCamelContext(), settings.integer("gateway.proxy.max-connections", 1, 100_000),
                        settings.duration("gateway.proxy.connect-timeout"), settings.duration("gateway.proxy.timeout"));
                // Gateway starts Main with start(), not run(): afterStart listeners never fire, so hook the context itself
                CamelContext ctx = m.getCamelContext();
                int threshold = settings.integer("gateway.proxy.spool-threshold-bytes", 4096, Integer.MAX_VALUE);
                try {
                    ctx.addStartupListener(new org.apache.camel.StartupListener() {
                        @Override
                        public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
                        }

                        @Override
                        public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
                            spoolLargeBodies(context, threshold);
                            collectBodies(context, settings.port());
                        }
                    });
                } catch (Exception e) {
                    throw new IllegalStateException("cannot register the proxy's startup hook: " + e.getMessage(), e);
                }
            }

            @Override
            public void beforeStop(BaseMainSupport m) {
                proxy.close();
            }
        });
    }

    /**
     * The proxy's upstream client settings, on the http and https components so the toD URI carries only what varies.
     * One pool for every proxy endpoint: camel-http would build a STRICT pool per endpoint, whose single lock every
     * worker takes twice per call (lease, release) — under 64 concurrent callers JFR showed them parked on it. A LAX
     * pool leases without a global lock; its per-route cap is gateway.proxy.max-connections.
     */
    static void upstreamClient(CamelContext ctx, int maxConnections, Duration connectTimeout, Duration timeout) {
        var pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setPoolConcurrencyPolicy(PoolConcurrencyPolicy.LAX)
                .setMaxConnPerRoute(maxConnections).setMaxConnTotal(maxConnections)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.ofMilliseconds(connectTimeout.toMillis())).build())
                .build();
        for (String scheme : new String[] {"http", "https"}) {
            HttpComponent http = ctx.getComponent(scheme, HttpComponent.class);
            http.setClientConnectionManager(pool);
            http.setConnectTimeout(connectTimeout.toMillis());
            http.setResponseTimeout(timeout.toMillis());
        }
    }

    /**
     * A Vert.x route in front of api-proxy's consumer: for a request with a body it attaches the RequestBodyStream on
     * the event loop, before any chunk can be delivered, and frees it when the answer has been sent (or the caller
     * went away) so an unread body never stalls the keep-alive connection.
     */
    static void collectBodies(CamelContext ctx, int port) {
        var router = VertxPlatformHttpRouter.lookup(ctx, VertxPlatformHttpRouter.getRouterNameFromPort(port));
        if (router == null) {
            router = VertxPlatformHttpRouter.lookup(ctx);
        }
        if (router == null) {
            throw new IllegalStateException("platform-http router not found for port " + port);
        }
        router.route("/proxy/*").order(-1000).handler(rc -> {
            var req = rc.request();
            String length = req.getHeader("Content-Length");
            // HTTP/2 (h2c) carries no Transfer-Encoding: whether a body follows is only known from its frames
            if (req.version() == io.vertx.core.http.HttpVersion.HTTP_2 || req.getHeader("Transfer-Encoding") != null
                    || length != null && !length.trim().equals("0")) {
                RequestBodyStream body = RequestBodyStream.attach(req, ProxyService.BODY_WINDOW);
                rc.addEndHandler(done -> body.close());
                if ("100-continue".equalsIgnoreCase(req.getHeader("Expect")) && req.version() != io.vertx.core.http.HttpVersion.HTTP_2) {
                    // RFC 9110 §10.1.1: the body will be read; without this curl waits a second before sending it
                    rc.response().writeContinue();
                }
            }
            rc.next();
        });
    }

    /**
     * platform-http's useStreaming (the sandbox's _echo route, the upstream of the proxy's large-body tests) collects
     * a request body in a CachedOutputStream, which only spools to disk when the stream-caching strategy is running
     * with spooling on. Stream caching stays off for routes (camel.main.stream-caching-enabled=false); only the
     * strategy is restarted with spooling, so a 100 MB upload costs a temp file, not 100 MB of heap.
     */
    static void spoolLargeBodies(CamelContext ctx, int threshold) {
        StreamCachingStrategy s = ctx.getStreamCachingStrategy();
        try {
            s.stop();
            s.setEnabled(true);
            s.setSpoolEnabled(true);
            s.setSpoolThreshold(threshold);
            s.setRemoveSpoolDirectoryWhenStopping(true);
            s.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot enable body spooling for the proxy: " + e.getMessage(), e);
        }
    }
}
