package io.agcgateway;

import com.zaxxer.hikari.HikariDataSource;
import io.agcgateway.auth.ApiKeyAuth;
import io.agcgateway.auth.OperatorKeyAuth;
import io.agcgateway.catalog.ProviderCatalog;
import io.agcgateway.config.GatewaySettings;
import io.agcgateway.connections.ConnectionImports;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.connections.ConnectionsApi;
import io.agcgateway.connections.Refresher;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.health.HealthApi;
import io.agcgateway.health.HealthStore;
import io.agcgateway.http.HttpReply;
import io.agcgateway.http.OpenApiDocument;
import io.agcgateway.http.OutboundCall;
import io.agcgateway.http.OutboundHttpConfigurer;
import io.agcgateway.http.PublicCors;
import io.agcgateway.http.RequestBody;
import io.agcgateway.http.SpoolLargeBodies;
import io.agcgateway.http.vertx.EventLoopHttpEngine;
import io.agcgateway.http.vertx.UpstreamComponent;
import io.agcgateway.integrations.IntegrationStore;
import io.agcgateway.integrations.IntegrationsApi;
import io.agcgateway.logs.LogsApi;
import io.agcgateway.logs.OperationLog;
import io.agcgateway.logs.OperationStore;
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
import io.agcgateway.store.Database;
import io.agcgateway.store.DatabaseHealthCheck;
import io.agcgateway.store.KeyMaterial;
import io.agcgateway.tracing.GatewayTracing;
import io.agcgateway.store.MetaStore;
import io.agcgateway.web.CacheableHeaderFilter;
import io.agcgateway.web.StaticFiles;
import io.agcgateway.webhooks.WebhookDelivery;
import io.agcgateway.webhooks.WebhookEvents;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.opentelemetry2.OpenTelemetryTracer;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.LoggerFactory;

/**
 * The composition root: every bean the routes name, built once with what it depends on, in construction order, one
 * method per family, and bound into the registry of the CamelContext given to {@link #install} — the one entry point
 * for any Camel runtime (the jar's camel-main, Camel Spring Boot, ...). A bean is bound under its class name in
 * lowerCamel ({@code HttpReply} → {@code httpReply}), except the few in {@link #FIXED_NAMES}. Nothing is looked up by
 * name while wiring and nothing is set after construction. Beans that send to a route or read Camel's meter registry
 * get the context as a Supplier; the proxy's beans use the platform-http server's Vert.x once it runs; what starts and
 * stops with the context is {@link GatewayLifecycle}.
 */
public final class GatewayBeans {
    /** Bean names that are not the lowerCamel of the bean's class, and why. */
    static final Map<String, String> FIXED_NAMES = Map.of(
            "dataSource", "the HikariCP pool, bound as the javax.sql.DataSource it is",
            "clock", "a java.time.Clock: the system's UTC clock, or the one a test passes to Gateway.start",
            "upstream", "a component: Camel resolves api-proxy's toD upstream:... to the bean named after the scheme",
            "quartz", "a component: token-refresh's quartz: endpoint resolves to it, with the gateway's scheduler settings",
            "sweepPool", "a JDK ExecutorService; token-refresh's split names it for its job (executorService: sweepPool)");

    private final CamelContext context;
    private final GatewaySettings settings;
    private final HikariDataSource dataSource;
    private final KeyMaterial keys;
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
    /** The platform-http server's Vert.x options (built in http(); the proxy sizes its per-loop clients by them). */
    private VertxOptions vertxOptions;
    private final Refresher refresher;
    /** The secret-key check: routes name it, and the HTTP guard runs it before reading a body (built in http()). */
    private ApiKeyAuth apiKeyAuth;
    private OperatorKeyAuth operatorKeyAuth;

    /**
     * Builds every bean from the settings the context's properties resolve ({@link GatewaySettings#load(java.util.function.Function)}),
     * binds them into its registry and hooks {@link GatewayLifecycle} into it. Call it once, before the context starts
     * (camel-main: a MainListener's beforeConfigure; Camel Spring Boot: a CamelContextConfiguration's
     * beforeApplicationStart); the route files then load with {@code routes-include-pattern}. A bad setting, catalog
     * entry or store fails here with a {@link io.agcgateway.config.StartupException} naming it.
     */
    public static GatewayBeans install(CamelContext context) {
        return install(context, Clock.systemUTC());
    }

    /** As {@link #install(CamelContext)}, with the clock every bean reads the time from (tests move it). */
    static GatewayBeans install(CamelContext context, Clock clock) {
        return install(context, GatewaySettings.load(context.getPropertiesComponent()::resolveProperty), clock);
    }

    /**
     * As {@link #install(CamelContext, Clock)} with settings already read (the jar's Gateway: its overrides, files
     * and env, including the otel.* keys a PropertiesComponent look-up by gateway key cannot list).
     */
    static GatewayBeans install(CamelContext context, GatewaySettings settings, Clock clock) {
        // the route files' {{gateway.*}} placeholders: every setting at the lowest rank (the runtime's own values, already
        // read into settings, still win), the derived <key>.millis values for camel-http (MILLIS_FOR_ROUTES) included
        settings.all().forEach((k, v) -> {
            if (k.startsWith("gateway.")) {
                context.getPropertiesComponent().addInitialProperty(k, v);
            }
        });
        ProviderCatalog catalog = ProviderCatalog.load(settings.providerFiles(), settings.sandbox(), settings.publicUrl(),
                settings.sandbox() ? Sandbox.baseUrl(settings) : settings.publicUrl());
        HikariDataSource ds = Database.open(settings);
        try {
            return new GatewayBeans(context, settings, ds, KeyMaterial.load(settings, new MetaStore(ds)), catalog, clock);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
    }

    private GatewayBeans(CamelContext context, GatewaySettings settings, HikariDataSource ds, KeyMaterial keys, ProviderCatalog catalog,
            Clock clock) {
        this.context = context;
        this.settings = settings;
        this.dataSource = ds;
        this.keys = keys;
        this.clock = clock;
        this.camel = () -> context;
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
        bind("logsApi", new LogsApi(new OperationStore(ds)));
        // routes/dashboard-health: the numbers of the dashboard's Health page
        bind("healthApi", new HealthApi(new HealthStore(ds), metrics, clock, settings.duration("gateway.refresh.margin"),
                settings.duration("gateway.refresh.keep-alive-age")));
        Publisher publisher = publisher(ds);
        WebhookEvents events = webhooks(keys.secretKey);
        // token endpoint and accessible-resources: routes token-endpoint and accessible-resources (camel-http)
        OutboundCall outbound = new OutboundCall(camel);
        bind("outboundHttpConfigurer", new OutboundHttpConfigurer());
        TokenClient tokens = bind("tokenClient", new TokenClient(outbound));
        RefreshPolicy refreshPolicy = new RefreshPolicy(settings.duration("gateway.refresh.margin"));
        LeasedRefresh leased = new LeasedRefresh(connections, integrations, catalog, cipher, tokens, operationLog, metrics,
                refreshPolicy, events, tokenUpdates, clock, nodeId());
        refresh = bind("refreshService", new RefreshService(connections, leased, refreshPolicy, tokenUpdates, clock,
                settings.duration("gateway.refresh.lease")));
        // the proxy's token cache and GET /connections/{id} refresh through direct:refresh-connection, once Camel runs
        refresher = new RouteRefresher(refresh, camel);
        sweep(ds);
        api(bodies, events);
        oauth(ds, bodies, tokens, outbound, events, publisher);
        bind("staticFiles", new StaticFiles());
        tracing();
        if (settings.sandbox()) {
            SandboxAgc agc = bind("sandboxAgc", Sandbox.agc(settings, meta, integrations, cipher, clock));
            bind("sandboxHttp", new SandboxHttp(agc, clock));
        }
        Runnable stopProxy = proxy(context);
        context.addLifecycleStrategy(new GatewayLifecycle(settings, ds, operationLog, apiKeyAuth, operatorKeyAuth, metrics, stopProxy));
    }

    public GatewaySettings settings() {
        return settings;
    }

    public HikariDataSource dataSource() {
        return dataSource;
    }

    /** The secret key (generated or from GATEWAY_SECRET_KEY) and the token cipher. */
    public KeyMaterial keys() {
        return keys;
    }

    /** What every API route uses: settings, keys, the catalog, the key check, the JSON answer, the HTTP server's options. */
    private RequestBody http(KeyMaterial keys) {
        bind("gatewaySettings", settings);
        bind("clock", clock);
        bind("tokenCipher", cipher);
        bind("providerCatalog", catalog);
        apiKeyAuth = bind("apiKeyAuth", new ApiKeyAuth(keys.secretKey));
        // the secret key or the read-only operator key: Jolokia and the Health page's numbers, nothing else
        operatorKeyAuth = bind("operatorKeyAuth", new OperatorKeyAuth(apiKeyAuth, settings.operatorKey()));
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
        vertxOptions = bind("vertxOptions", new VertxOptions()
                .setPreferNativeTransport(settings.bool("gateway.http.native-transport"))
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
        try {
            context.addStartupListener(upgrade);
            if (relay != null) {
                context.addService(relay, true, true);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot register the WebSocket publisher: " + e.getMessage(), e);
        }
        return bind("publisher", new Publisher(sockets, relay == null ? Relay.NONE : relay));
    }

    /** Auth webhooks: events enqueue on seda:webhooks (the route), webhookDelivery signs and sends them. */
    private WebhookEvents webhooks(String secretKey) {
        // Nango signs with the environment's webhook signing key; ours defaults to the secret key like older Nango environments.
        String secret = settings.raw("gateway.webhook.secret").isEmpty() ? secretKey : settings.raw("gateway.webhook.secret");
        bind("webhookDelivery", new WebhookDelivery(secret, settings.integer("gateway.webhook.retries", 0, 10), operationLog, clock));
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
    private void oauth(HikariDataSource ds, RequestBody bodies, TokenClient tokens, OutboundCall outbound, WebhookEvents events,
            Publisher publisher) {
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
        bind("accessibleResources", new AccessibleResources(outbound));
        bind("siteSelector", new SiteSelector());
    }

    /**
     * The proxy (routes/api-proxy): its consumer engine and upstream client are Camel services on the platform-http
     * server's Vert.x (looked up when first used); the answer closes the bounded pools and the batched last-use log
     * as Camel begins to stop.
     */
    private Runnable proxy(CamelContext ctx) {
        EventLoopHttpEngine engine = bind("eventLoopHttpEngine", new EventLoopHttpEngine(ctx, settings.port()));
        Supplier<Vertx> vertx = engine::vertx;
        // one upstream client per event loop that carries calls (a server instance each, verticles spread over the loops)
        int loops = Math.min(settings.serverInstances(), vertxOptions.getEventLoopPoolSize());
        bind("upstream", new UpstreamComponent(vertx, loops,
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
            // the context's own hook, not the runtime's (camel-main's afterStart never fires with Main.start())
            ctx.addStartupListener(new SpoolLargeBodies(settings.integer("gateway.proxy.spool-threshold-bytes", 4096, Integer.MAX_VALUE)));
        } catch (Exception e) {
            throw new IllegalStateException("cannot register the proxy's startup hook: " + e.getMessage(), e);
        }
        return () -> {
            callLog.close();
            blocking.close();
        };
    }

    /**
     * Traces (tracing/GatewayTracing): only when switched on is anything built — the SDK (before Camel, so a refused
     * OTEL_* setting stops startup with one line), the OTel {@code tracer} and {@code contextPropagators} that
     * camel-opentelemetry2 finds by type (bound under their interfaces' names), and Camel's OpenTelemetryTracer (a route
     * policy and an event notifier: a span per route and per endpoint call). Off, the routes run exactly as without
     * the module. The SDK is flushed and closed when Camel stops.
     */
    private void tracing() {
        GatewayTracing.Switch on = GatewayTracing.decide(settings.bool("gateway.tracing.enabled"),
                GatewayTracing.otelProperties(settings.all(), System.getenv()));
        if (!on.on()) {
            return;
        }
        OpenTelemetrySdk sdk = GatewayTracing.sdk(settings.all());
        bind("tracer", sdk.getTracer("org.apache.camel", io.agcgateway.http.Version.get()));
        bind("contextPropagators", sdk.getPropagators());
        OpenTelemetryTracer camelTracer = new OpenTelemetryTracer();
        camelTracer.setExcludePatterns(settings.raw("gateway.tracing.exclude-patterns"));
        // installed before the routes are built (install() runs before Camel configures them in either runtime)
        try {
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    sdk.close();
                }
            }, true, false);
        } catch (Exception e) {
            throw new IllegalStateException("cannot register the tracing SDK: " + e.getMessage(), e);
        }
        camelTracer.init(context);
        LoggerFactory.getLogger(GatewayTracing.class).info("tracing {}; exclude={}", on, camelTracer.getExcludePatterns());
    }

    private <T> T bind(String name, T bean) {
        context.getRegistry().bind(name, bean);
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
