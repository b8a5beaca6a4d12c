package io.agcgateway.proxy;

import io.agcgateway.catalog.ProviderCatalog;
import io.agcgateway.config.GatewaySettings;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.http.vertx.EventLoopHttpEngine;
import io.agcgateway.http.vertx.UpstreamComponent;
import io.agcgateway.integrations.IntegrationStore;
import io.agcgateway.logs.OperationLog;
import io.agcgateway.metrics.GatewayMetrics;
import io.agcgateway.refresh.RefreshService;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.Registry;
import org.apache.camel.spi.StreamCachingStrategy;

/**
 * The proxy's beans, each named after its class, built in dependency order: the event-loop engine that api-proxy's
 * consumer selects, the {@code upstream:} component its toD names, the token cache and the route's steps.
 */
public final class ProxyModule {
    private ProxyModule() {
    }

    public static void install(Main main, GatewaySettings settings, ProviderCatalog catalog, Clock clock) {
        main.addMainListener(new MainListenerSupport() {
            private BlockingSteps blocking;
            private ProxyCallLog callLog;

            @Override
            public void afterConfigure(BaseMainSupport m) {
                CamelContext ctx = m.getCamelContext();
                Registry r = ctx.getRegistry();
                int replayLimit = settings.integer("gateway.proxy.replay-max-bytes", 0, 16 * 1024 * 1024);
                EventLoopHttpEngine engine = new EventLoopHttpEngine(ctx, settings.port());
                Supplier<Vertx> vertx = engine::vertx;
                r.bind("eventLoopHttpEngine", engine);
                // bound by its scheme: Camel finds a component in the registry under the name the URI uses
                r.bind("upstream", new UpstreamComponent(vertx,
                        settings.integer("gateway.proxy.max-connections", 1, 100_000),
                        settings.integer("gateway.proxy.max-waiting", 0, 1_000_000),
                        settings.duration("gateway.proxy.connect-timeout"), settings.duration("gateway.proxy.idle-timeout"),
                        settings.duration("gateway.proxy.lease-timeout")));
                TokenCache tokenCache = new TokenCache(r.lookupByNameAndType("connectionStore", ConnectionStore.class),
                        r.lookupByNameAndType("integrationStore", IntegrationStore.class), catalog,
                        r.lookupByNameAndType("tokenCipher", TokenCipher.class),
                        r.lookupByNameAndType("refreshService", RefreshService.class),
                        r.lookupByNameAndType("gatewayMetrics", GatewayMetrics.class), clock,
                        settings.duration("gateway.proxy.token-cache-max-age"), settings.duration("gateway.refresh.margin"));
                r.bind("tokenCache", tokenCache);
                blocking = new BlockingSteps(vertx, settings.integer("gateway.proxy.blocking-threads", 1, 1024));
                callLog = new ProxyCallLog(r.lookupByNameAndType("operationLog", OperationLog.class),
                        r.lookupByNameAndType("gatewayMetrics", GatewayMetrics.class),
                        r.lookupByNameAndType("connectionStore", ConnectionStore.class), clock,
                        settings.duration("gateway.proxy.last-used-interval"),
                        settings.integer("gateway.proxy.max-in-flight", 1, 1_000_000));
                r.bind("proxyCallLog", callLog);
                r.bind("proxyPrepare", new ProxyPrepare(tokenCache, blocking, callLog, clock,
                        settings.integer("gateway.proxy.max-retries", 0, 20), replayLimit));
                r.bind("proxyAttempt", new ProxyAttempt());
                r.bind("proxyDecide", new ProxyDecide(new AttemptRules(new RetryPolicy(
                        settings.duration("gateway.proxy.retry-base").toMillis(),
                        settings.duration("gateway.proxy.retry-max-wait").toMillis())), clock, replayLimit));
                r.bind("proxyRetryWait", new ProxyRetryWait(vertx));
                r.bind("proxyRefresh", new ProxyRefresh(tokenCache, blocking,
                        settings.duration("gateway.proxy.refresh-on-401-min-age").toMillis()));
                r.bind("proxyRespond", new ProxyRespond());
                int threshold = settings.integer("gateway.proxy.spool-threshold-bytes", 4096, Integer.MAX_VALUE);
                try {
                    // Gateway starts Main with start(), not run(): afterStart listeners never fire, so hook the context
                    ctx.addStartupListener(new org.apache.camel.StartupListener() {
                        @Override
                        public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
                        }

                        @Override
                        public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
                            spoolLargeBodies(context, threshold);
                        }
                    });
                } catch (Exception e) {
                    throw new IllegalStateException("cannot register the proxy's startup hook: " + e.getMessage(), e);
                }
            }

            @Override
            public void beforeStop(BaseMainSupport m) {
                if (callLog != null) {
                    callLog.close();
                }
                if (blocking != null) {
                    blocking.close();
                }
            }
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
            throw new IllegalStateException("cannot enable body spooling for large request bodies: " + e.getMessage(), e);
        }
    }
}
