package io.agcgateway;

import com.zaxxer.hikari.HikariDataSource;
import io.agcgateway.auth.ApiKeyAuth;
import io.agcgateway.catalog.ProviderCatalog;
import io.agcgateway.config.GatewaySettings;
import io.agcgateway.connections.ConnectionImports;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.connections.ConnectionsApi;
import io.agcgateway.connections.Refresher;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.http.HttpReply;
import io.agcgateway.http.OpenApiDocument;
import io.agcgateway.http.PublicCors;
import io.agcgateway.http.RequestBody;
import io.agcgateway.http.SpoolLargeBodies;
import io.agcgateway.http.vertx.EventLoopHttpEngine;
import io.agcgateway.http.vertx.EventLoopServers;
import io.agcgateway.http.vertx.RequestGuard;
import io.agcgateway.http.vertx.UpstreamComponent;
import io.agcgateway.integrations.IntegrationStore;
import io.agcgateway.integrations.IntegrationsApi;
import io.agcgateway.logs.LogsApi;
import io.agcgateway.logs.OperationLog;
import io.agcgateway.logs.Spool;
import io.agcgateway.metrics.GatewayMetrics;
import io.agcgateway.oauth.AccessibleResources;
import io.agcgateway.oauth.ConnectSessionAuth;
import io.agcgateway.retention.Purge;
import io.agcgateway.retention.RetentionStore;
import io.agcgateway.oauth.ConnectSessionStore;
import io.agcgateway.oauth.ConnectSessions;
import io.agcgateway.oauth.ConnectUi;
import io.agcgateway.oauth.OAuthCallback;
import io.agcgateway.oauth.OAuthConnect;
import io.agcgateway.oauth.OAuthStateStore;
import io.agcgateway.oauth.SiteSelector;
import io.agcgateway.oauth.TokenClient;
import io.agcgateway.proxy.AttemptRules;
import io.agcgateway.proxy.BlockingSteps;
import io.agcgateway.proxy.ProxyAttempt;
import io.agcgateway.proxy.ProxyCallLog;
import io.agcgateway.proxy.ProxyDecide;
import io.agcgateway.proxy.ProxyPrepare;
import io.agcgateway.proxy.ProxyRefresh;
import io.agcgateway.proxy.ProxyRespond;
import io.agcgateway.proxy.ProxyRetryWait;
import io.agcgateway.proxy.RetryPolicy;
import io.agcgateway.proxy.TokenCache;
import io.agcgateway.publisher.PgNotifyRelay;
import io.agcgateway.publisher.Publisher;
import io.agcgateway.publisher.Relay;
import io.agcgateway.publisher.WebSocketRegistry;
import io.agcgateway.publisher.WebSocketUpgrade;
import io.agcgateway.refresh.LeasedRefresh;
import io.agcgateway.refresh.RefreshConnection;
import io.agcgateway.refresh.RefreshPolicy;
import io.agcgateway.refresh.RefreshService;
import io.agcgateway.refresh.RefreshSweep;
import io.agcgateway.refresh.RouteRefresher;
import io.agcgateway.refresh.SweepPolicy;
import io.agcgateway.refresh.SweepScheduler;
import io.agcgateway.refresh.TokenUpdates;
import io.agcgateway.sandbox.Sandbox;
import io.agcgateway.sandbox.SandboxAgc;
import io.agcgateway.sandbox.SandboxHttp;
import io.agcgateway.store.DatabaseHealthCheck;
import io.agcgateway.store.KeyMaterial;
import io.agcgateway.store.MetaStore;
import io.agcgateway.web.CacheableHeaderFilter;
import io.agcgateway.web.StaticFiles;
import io.agcgateway.webhooks.WebhookDelivery;
import io.agcgateway.webhooks.WebhookEvents;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

/**
 * The composition root: every bean the routes name, built once with what it depends on, in construction order, one
 * method per family. A bean is bound under its class name in lowerCamel ({@code HttpReply} → {@code httpReply}),
 * except the few in {@link #FIXED_NAMES}. Nothing is looked up by name while wiring and nothing is set after
 * construction. Where the CamelContext is needed it is explicit: beans that send to a route or read Camel's meter
 * registry get it as a Supplier; the proxy's beans run on the platform-http server's Vert.x and are built when the
 * context exists ({@link #proxy}); the RouteRefresher sends to direct:refresh-connection once Camel runs; the
 * event-loop servers take over the started server ({@link #started}).
 */
final class GatewayBeans {
    /** Bean names that are not the lowerCamel of the bean's class, and why. */
    static final Map<String, String> FIXED_NAMES = Map.of(
            "dataSource", "the HikariCP pool, bound as the javax.sql.DataSource it is",
            "clock", "a java.time.Clock: the system's UTC clock, or the one a test passes to Gateway.start",
            "upstream", "a component: Camel resolves api-proxy's toD upstream:... to the bean named after the scheme",
            "quartz", "a component: token-refresh's quartz: endpoint resolves to it, with the gateway's scheduler settings",
            "sweepPool", "a JDK ExecutorService; token-refresh's split names it for its job (executorService: sweepPool)");

    private final Main main;
    private final GatewaySettings settings;
    private final Clock clock;
    private final Supplier<CamelContext> camel;
    private final ProviderCatalog catalog;
    private final TokenCipher cipher;
    // built before the context; the proxy's beans, built with it, use them too
    private final IntegrationStore integrations;
    private final ConnectionStore connections;
    private final MetaStore meta;
    private final GatewayMetrics metrics;
    private final OperationLog operationLog;
    private final RefreshService refresh;
    private final TokenUpdates tokenUpdates = new TokenUpdates();
    private final Refresher refresher;
    /** The secret-key check: routes name it, and the HTTP guard runs it before reading a body (built in http()). */
    private ApiKeyAuth apiKeyAuth;

    GatewayBeans(Main main, GatewaySettings settings, HikariDataSource ds, KeyMaterial keys, ProviderCatalog catalog, Clock clock) {
        this.main = main;
        this.settings = settings;
        this.clock = clock;
        this.camel = main::getCamelContext;
        this.catalog = catalog;
        this.cipher = keys.cipher;
        RequestBody bodies = http(keys);
        integrations = bind("integrationStore", new IntegrationStore(ds));
        connections = bind("connectionStore", new ConnectionStore(ds));
        meta = bind("metaStore", new MetaStore(ds));
        bind("dataSource", ds);
        bind("databaseHealthCheck", new DatabaseHealthCheck(ds));
        metrics = bind("gatewayMetrics", new GatewayMetrics(camel));
        operationLog = bind("operationLog", new OperationLog(ds, 10_000, settings.duration("gateway.logs.batch-linger"),
                new Spool(settings.dataDir().resolve("operations-spool.jsonl"), settings.integer("gateway.logs.spool-max-bytes", 0, Integer.MAX_VALUE)),
                metrics));
        bind("logsApi", new LogsApi(ds));
        Publisher publisher = publisher(ds);
        WebhookEvents events = webhooks(keys.secretKey);
        TokenClient tokens = bind("tokenClient", new TokenClient(settings.duration("gateway.proxy.connect-timeout"),
                settings.duration("gateway.oauth.token-timeout")));
        RefreshPolicy refreshPolicy = new RefreshPolicy(settings.duration("gateway.refresh.margin"));
        LeasedRefresh leased = new LeasedRefresh(connections, integrations, catalog, cipher, tokens, operationLog, metrics,
                refreshPolicy, events, tokenUpdates, clock, nodeId());
        refresh = bind("refreshService", new RefreshService(connections, leased, refreshPolicy, tokenUpdates, clock,
                settings.duration("gateway.refresh.lease")));
        // the proxy's token cache and GET /connections/{id} refresh through direct:refresh-connection, once Camel runs
        refresher = new RouteRefresher(refresh, camel);
        sweep(ds);
        api(bodies, events);
        oauth(ds, bodies, tokens, events, publisher);
        bind("staticFiles", new StaticFiles());
        if (settings.sandbox()) {
            SandboxAgc agc = bind("sandboxAgc", Sandbox.agc(settings, meta, integrations, cipher, clock));
            bind("sandboxHttp", new SandboxHttp(agc, clock));
        }
        main.addMainListener(new MainListenerSupport() {
            private Runnable stopProxy;

            @Override
            public void afterConfigure(BaseMainSupport m) {
                stopProxy = proxy(m.getCamelContext());
            }

            @Override
            public void beforeStop(BaseMainSupport m) {
                if (stopProxy != null) {
                    stopProxy.run();
                }
            }
        });
    }

    /** What every API route uses: settings, keys, the catalog, the key check, the JSON answer, the HTTP server's options. */
    private RequestBody http(KeyMaterial keys) {
        bind("gatewaySettings", settings);
        bind("clock", clock);
        bind("tokenCipher", cipher);
        bind("providerCatalog", catalog);
        apiKeyAuth = bind("apiKeyAuth", new ApiKeyAuth(keys.secretKey));
        bind("httpReply", new HttpReply());
        // CORS for the reads a connect session token opens to a browser on another origin (Connect UI)
        bind("publicCors", new PublicCors());
        bind("openApiDocument", new OpenApiDocument(settings.publicUrl()));
        // keeps Cache-Control on every platform-http answer (config: header-filter-strategy), not only the dashboard's
        bind("cacheableHeaderFilter", new CacheableHeaderFilter());
        // platform-http runs API requests on Vert.x workers (the proxy runs on the event loops); a step that blocks
        // an event loop longer than max-event-loop-block is logged by Vert.x's checker (tests set it strict).
        // VertxPlatformHttpServer picks this bean up.
        Duration maxBlock = settings.duration("gateway.http.max-event-loop-block");
        bind("vertxOptions", new VertxOptions()
                .setWorkerPoolSize(settings.integer("gateway.http.worker-threads", 4, 1024))
                .setMaxEventLoopExecuteTime(maxBlock.toNanos())
                .setWarningExceptionTime(maxBlock.toNanos())
                .setBlockedThreadCheckInterval(Math.max(10, Math.min(1000, maxBlock.toMillis() / 2))));
        return bind("requestBody", new RequestBody(settings.integer("gateway.api.max-body-bytes", 1024, Integer.MAX_VALUE)));
    }

    /**
     * The @nangohq/frontend WebSockets: the upgrade joins the platform-http router once Camel has started it; with
     * gateway.cluster=true a PostgreSQL relay (a Camel service) carries a message to the node holding the socket.
     */
    private Publisher publisher(HikariDataSource ds) {
        WebSocketRegistry sockets = new WebSocketRegistry(metrics, settings.duration("gateway.websockets.ping-interval"),
                settings.duration("gateway.websockets.max-lifetime"));
        PgNotifyRelay relay = settings.cluster()
                ? new PgNotifyRelay(ds, settings.dbUrl(), settings.raw("gateway.db.user"), settings.raw("gateway.db.password"),
                        sockets, metrics, Duration.ofSeconds(1))
                : null;
        WebSocketUpgrade upgrade = new WebSocketUpgrade(settings.port(), settings.websocketsPath(), sockets);
        // Gateway calls main.start(), not run(), so MainListener.afterStart never fires: use the context's own event
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport m) {
                try {
                    m.getCamelContext().addStartupListener(upgrade);
                    if (relay != null) {
                        m.getCamelContext().addService(relay, true, true);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("cannot register the WebSocket publisher: " + e.getMessage(), e);
                }
            }
        });
        return bind("publisher", new Publisher(sockets, relay == null ? Relay.NONE : relay));
    }

    /** Auth webhooks: events enqueue on seda:webhooks (the route), webhookDelivery signs and sends them. */
    private WebhookEvents webhooks(String secretKey) {
        // Nango signs with the environment's webhook signing key; ours defaults to the secret key like older Nango environments.
        String secret = settings.raw("gateway.webhook.secret").isEmpty() ? secretKey : settings.raw("gateway.webhook.secret");
        bind("webhookDelivery", new WebhookDelivery(secret, settings.integer("gateway.webhook.retries", 0, 10),
                settings.duration("gateway.webhook.backoff"), settings.duration("gateway.webhook.timeout"), operationLog, clock));
        return bind("webhookEvents", new WebhookEvents(settings.webhookUrl(), camel, operationLog, clock));
    }

    /** The refresh route's bean and the Quartz sweep (routes/refresh-connection, routes/token-refresh). */
    private void sweep(HikariDataSource ds) {
        SweepPolicy policy = bind("sweepPolicy", SweepScheduler.policy(settings));
        bind("refreshSweep", new RefreshSweep(connections, meta, policy, metrics, operationLog, clock, refresh.nodeId(),
                settings.integer("gateway.refresh.sweep-page-size", 10, 10_000)));
        bind("refreshConnection", new RefreshConnection(connections, refresh));
        bind("sweepPool", SweepScheduler.sweepPool(settings.integer("gateway.refresh.sweep-parallelism", 1, 256)));
        bind("quartz", SweepScheduler.quartz(settings, ds));
        // routes/purge: retention of operations, OAuth state and connect sessions (same Quartz, one node of a cluster)
        bind("purge", new Purge(new RetentionStore(ds), metrics, clock, settings.retention(), settings.purgeGrace(),
                settings.integer("gateway.purge.batch-size", 100, 1_000_000)));
    }

    /** Nango's integrations and connections API. */
    private void api(RequestBody bodies, WebhookEvents events) {
        bind("integrationsApi", new IntegrationsApi(integrations, catalog, cipher, bodies, settings.publicUrl(), clock));
        bind("connectionsApi", new ConnectionsApi(connections, integrations, cipher, refresher, bodies, operationLog, clock));
        bind("connectionImports", new ConnectionImports(connections, integrations, cipher, refresh, bodies, operationLog, events,
                clock));
    }

    /** Connect sessions and the OAuth flow: connect, callback, the site of the new connection. */
    private void oauth(HikariDataSource ds, RequestBody bodies, TokenClient tokens, WebhookEvents events, Publisher publisher) {
        String publicUrl = settings.publicUrl();
        ConnectSessionStore sessionStore = bind("connectSessionStore", new ConnectSessionStore(ds));
        OAuthStateStore states = bind("oauthStateStore", new OAuthStateStore(ds));
        ConnectSessions sessions = bind("connectSessions", new ConnectSessions(sessionStore, integrations, connections, catalog, bodies,
                operationLog, clock, settings.duration("gateway.connect.session-ttl"), publicUrl, settings.websocketsPath()));
        bind("connectSessionAuth", new ConnectSessionAuth(apiKeyAuth, sessions));
        bind("connectUi", new ConnectUi(sessions, settings.connectUiFrameAncestors(), settings.websocketsPath()));
        bind("oauthConnect", new OAuthConnect(states, sessions, sessionStore, integrations, catalog, cipher, operationLog, publisher, clock,
                settings.duration("gateway.oauth.state-ttl"), publicUrl,
                settings.integer("gateway.connect.max-starts-per-session", 1, 10_000)));
        bind("oauthCallback", new OAuthCallback(states, integrations, connections, sessionStore, catalog, cipher, tokens, operationLog,
                events, publisher, clock));
        bind("accessibleResources", new AccessibleResources(settings.duration("gateway.proxy.connect-timeout"),
                settings.duration("gateway.oauth.token-timeout")));
        bind("siteSelector", new SiteSelector());
    }

    /**
     * The proxy (routes/api-proxy): its consumer engine and upstream client are Camel services on the platform-http
     * server's Vert.x, so they and the steps that use them are built once the context exists; the bounded pools and
     * the batched log close before Camel stops (the answer).
     */
    private Runnable proxy(CamelContext ctx) {
        EventLoopHttpEngine engine = bind("eventLoopHttpEngine", new EventLoopHttpEngine(ctx, settings.port()));
        Supplier<Vertx> vertx = engine::vertx;
        bind("upstream", new UpstreamComponent(vertx,
                settings.integer("gateway.proxy.max-connections", 1, 100_000),
                settings.integer("gateway.proxy.max-waiting", 0, 1_000_000),
                settings.duration("gateway.proxy.connect-timeout"), settings.duration("gateway.proxy.idle-timeout"),
                settings.duration("gateway.proxy.lease-timeout")));
        TokenCache tokenCache = bind("tokenCache", new TokenCache(connections, integrations, catalog, cipher,
                refresher, tokenUpdates, metrics, clock, settings.duration("gateway.proxy.token-cache-max-age"),
                settings.duration("gateway.refresh.margin")));
        BlockingSteps blocking = new BlockingSteps(vertx, settings.integer("gateway.proxy.blocking-threads", 1, 1024));
        ProxyCallLog callLog = bind("proxyCallLog", new ProxyCallLog(operationLog, metrics, connections, clock,
                settings.duration("gateway.proxy.last-used-interval"), settings.integer("gateway.proxy.max-in-flight", 1, 1_000_000)));
        int replayLimit = settings.integer("gateway.proxy.replay-max-bytes", 0, 16 * 1024 * 1024);
        bind("proxyPrepare", new ProxyPrepare(tokenCache, blocking, callLog, clock,
                settings.integer("gateway.proxy.max-retries", 0, 20), replayLimit, vertx,
                settings.duration("gateway.proxy.idle-timeout").toMillis()));
        bind("proxyAttempt", new ProxyAttempt());
        bind("proxyDecide", new ProxyDecide(new AttemptRules(new RetryPolicy(settings.duration("gateway.proxy.retry-base").toMillis(),
                settings.duration("gateway.proxy.retry-max-wait").toMillis())), clock, replayLimit));
        bind("proxyRetryWait", new ProxyRetryWait(vertx));
        bind("proxyRefresh", new ProxyRefresh(tokenCache, blocking, settings.duration("gateway.proxy.refresh-on-401-min-age").toMillis()));
        bind("proxyRespond", new ProxyRespond());
        try {
            // Gateway starts Main with start(), not run(): afterStart listeners never fire, so hook the context
            ctx.addStartupListener(new SpoolLargeBodies(settings.integer("gateway.proxy.spool-threshold-bytes", 4096, Integer.MAX_VALUE)));
        } catch (Exception e) {
            throw new IllegalStateException("cannot register the proxy's startup hook: " + e.getMessage(), e);
        }
        return () -> {
            callLog.close();
            blocking.close();
        };
    }

    /** Once Camel has started: the proxy's servers take over the platform-http port, one per event loop. */
    void started(CamelContext ctx) {
        int instances = settings.integer("gateway.http.server-instances", 0, 64);
        int maxUri = settings.integer("gateway.http.max-uri-length", 256, 1 << 20);
        int maxConnections = settings.integer("gateway.http.max-connections", 0, 10_000_000);
        int maxHeaderBytes = settings.integer("gateway.http.max-header-size", 1024, 1 << 20);
        EventLoopServers servers = EventLoopServers.takeOver(ctx, settings.host(), settings.port(),
                instances == 0 ? Runtime.getRuntime().availableProcessors() : instances,
                settings.duration("gateway.http.idle-timeout"), RequestGuard.decoderLimit(maxUri),
                RequestGuard.decoderLimit(maxHeaderBytes),
                maxConnections == 0 ? EventLoopServers.defaultMaxConnections() : maxConnections,
                RequestGuard.of(ctx, settings.integer("gateway.api.max-body-bytes", 1024, Integer.MAX_VALUE),
                        settings.duration("gateway.api.body-timeout"), maxUri, apiKeyAuth)
                        .headerLimits(maxHeaderBytes, settings.integer("gateway.http.max-header-count", 10, 10_000))
                        .jolokia(settings.operatorKey(), ctx.getPropertiesComponent().resolveProperty("camel.management.path")
                                .orElse("/observe") + "/jolokia"));
        ctx.getRegistry().bind("eventLoopServers", servers);
        metrics.httpConnections(servers::open, servers::refused);
    }

    private <T> T bind(String name, T bean) {
        CamelContext ctx = camel.get();
        if (ctx == null) {
            main.bind(name, bean);
        } else {
            ctx.getRegistry().bind(name, bean);
        }
        return bean;
    }

    /** Identifies this node in refresh leases: host, pid and a random suffix (a restarted node is a new owner). */
    static String nodeId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "/" + ProcessHandle.current().pid() + "/" + java.util.UUID.randomUUID().toString().substring(0, 8);
    }
}
