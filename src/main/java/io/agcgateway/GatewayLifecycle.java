package io.agcgateway;

import com.zaxxer.hikari.HikariDataSource;
import io.agcgateway.auth.ApiKeyAuth;
import io.agcgateway.auth.OperatorKeyAuth;
import io.agcgateway.config.GatewaySettings;
import io.agcgateway.http.vertx.EventLoopServers;
import io.agcgateway.http.vertx.RequestGuard;
import io.agcgateway.logs.OperationLog;
import io.agcgateway.metrics.GatewayMetrics;
import io.agcgateway.proxy.ProxyUnitOfWorkFactory;
import io.agcgateway.web.CacheableHeaderFilter;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyConfiguration;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.spi.UnitOfWorkFactory;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the gateway starts and stops with its CamelContext, whichever runtime owns that context (camel-main in the
 * jar, Camel Spring Boot, any other): the HTTP server when the runtime has none, the event-loop servers once Camel
 * runs, and on stop the servers, the proxy's pools, the batched log and the database pool, in that order.
 */
final class GatewayLifecycle extends LifecycleStrategySupport {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayLifecycle.class);

    private final GatewaySettings settings;
    private final HikariDataSource dataSource;
    private final OperationLog operationLog;
    private final ApiKeyAuth apiKeyAuth;
    private final OperatorKeyAuth operatorKeyAuth;
    private final GatewayMetrics metrics;
    private final Runnable stopProxy;
    private EventLoopServers servers;

    GatewayLifecycle(GatewaySettings settings, HikariDataSource dataSource, OperationLog operationLog, ApiKeyAuth apiKeyAuth,
            OperatorKeyAuth operatorKeyAuth, GatewayMetrics metrics, Runnable stopProxy) {
        this.settings = settings;
        this.dataSource = dataSource;
        this.operationLog = operationLog;
        this.apiKeyAuth = apiKeyAuth;
        this.operatorKeyAuth = operatorKeyAuth;
        this.metrics = metrics;
        this.stopProxy = stopProxy;
    }

    /** Before the routes are built: their meters' policy reads the exclusion when it is created. */
    @Override
    public void onContextInitializing(CamelContext ctx) {
        excludeFromRouteMeters(ctx);
        if (!settings.bool("gateway.proxy.mdc-logging")) {
            ctx.getCamelContextExtension().addContextPlugin(UnitOfWorkFactory.class, new ProxyUnitOfWorkFactory(ctx, "api-proxy"));
        }
    }

    /**
     * camel-main serves platform-http itself (camel.server.*, with /observe beside it); a runtime without that server
     * (Camel Spring Boot) gets the same Vert.x server here, on gateway.host:gateway.port, before any route starts.
     */
    @Override
    public void onContextStarting(CamelContext ctx) {
        if (!ctx.hasServices(MainHttpServer.class).isEmpty()) {
            return;
        }
        VertxPlatformHttpServerConfiguration config = new VertxPlatformHttpServerConfiguration();
        config.setBindHost(settings.host());
        config.setBindPort(settings.port());
        config.setMaxBodySize((long) settings.integer("gateway.api.max-body-bytes", 1024, Integer.MAX_VALUE));
        try {
            ctx.addService(new VertxPlatformHttpServer(config), true, true);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the HTTP server on " + settings.host() + ":" + settings.port()
                    + " (setting gateway.port, env GATEWAY_PORT): " + e.getMessage(), e);
        }
        // what camel.component.platform-http.header-filter-strategy does in the jar's config
        ctx.getComponent("platform-http", PlatformHttpComponent.class)
                .setHeaderFilterStrategy(ctx.getRegistry().lookupByNameAndType("cacheableHeaderFilter", CacheableHeaderFilter.class));
        LOG.info("HTTP server for the gateway's routes on {}:{} (the runtime has no platform-http server)", settings.host(),
                settings.port());
    }

    /**
     * Camel's per-route meters (camel_exchanges_*, camel_route_policy_*) leave out the routes of
     * gateway.metrics.route-exclude (api-proxy: gateway_proxy_requests already times every call, by integration and
     * status). Their names cost a String.format on every exchange: 4.6% of the proxy's allocations under load.
     */
    private void excludeFromRouteMeters(CamelContext ctx) {
        String exclude = settings.raw("gateway.metrics.route-exclude");
        if (exclude == null || exclude.isBlank()) {
            return;
        }
        for (RoutePolicyFactory f : ctx.getRoutePolicyFactories()) {
            if (f instanceof MicrometerRoutePolicyFactory micrometer) {
                micrometer.setPolicyConfiguration(withExclude(micrometer.getPolicyConfiguration(), exclude.trim()));
            }
        }
    }

    /** A copy: the factory starts with Camel's static DEFAULT, which every context in this JVM shares. */
    private static MicrometerRoutePolicyConfiguration withExclude(MicrometerRoutePolicyConfiguration c, String exclude) {
        MicrometerRoutePolicyConfiguration copy = new MicrometerRoutePolicyConfiguration();
        copy.setContextEnabled(c.isContextEnabled());
        copy.setRouteEnabled(c.isRouteEnabled());
        copy.setAdditionalCounters(c.isAdditionalCounters());
        copy.setExchangesSucceeded(c.isExchangesSucceeded());
        copy.setExchangesFailed(c.isExchangesFailed());
        copy.setExchangesTotal(c.isExchangesTotal());
        copy.setExternalRedeliveries(c.isExternalRedeliveries());
        copy.setFailuresHandled(c.isFailuresHandled());
        copy.setLongTask(c.isLongTask());
        copy.setTimerInitiator(c.getTimerInitiator());
        copy.setLongTaskInitiator(c.getLongTaskInitiator());
        copy.setExcludePattern(exclude);
        return copy;
    }

    /** Once Camel has started: the proxy's servers take over the platform-http port, one per event loop. */
    @Override
    public void onContextStarted(CamelContext ctx) {
        int maxUri = settings.integer("gateway.http.max-uri-length", 256, 1 << 20);
        int maxConnections = settings.integer("gateway.http.max-connections", 0, 10_000_000);
        int maxHeaderBytes = settings.integer("gateway.http.max-header-size", 1024, 1 << 20);
        servers = EventLoopServers.takeOver(ctx, settings.host(), settings.port(),
                settings.serverInstances(),
                settings.duration("gateway.http.idle-timeout"), RequestGuard.decoderLimit(maxUri),
                RequestGuard.decoderLimit(maxHeaderBytes),
                maxConnections == 0 ? EventLoopServers.defaultMaxConnections() : maxConnections,
                RequestGuard.of(ctx, settings.integer("gateway.api.max-body-bytes", 1024, Integer.MAX_VALUE),
                        settings.duration("gateway.api.body-timeout"), maxUri, apiKeyAuth)
                        .headerLimits(maxHeaderBytes, settings.integer("gateway.http.max-header-count", 10, 10_000))
                        .jolokia(operatorKeyAuth, ctx.getPropertiesComponent().resolveProperty("camel.management.path")
                                .orElse("/observe") + "/jolokia"));
        ctx.getRegistry().bind("eventLoopServers", servers);
        metrics.httpConnections(servers::open, servers::refused);
    }

    /** First stop taking calls, then let the proxy's pools and the batched log finish while the routes still run. */
    @Override
    public void onContextStopping(CamelContext ctx) {
        if (servers != null) {
            servers.close();
        }
        operationLog.close();
        stopProxy.run();
    }

    /** The pool goes last: routes, Quartz and the relay use it until Camel has stopped them. */
    @Override
    public void onContextStopped(CamelContext ctx) {
        dataSource.close();
    }
}
