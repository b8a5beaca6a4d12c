package io.agcgateway;

import com.zaxxer.hikari.HikariDataSource;
import io.agcgateway.auth.ApiKeyAuth;
import io.agcgateway.catalog.ProviderCatalog;
import io.agcgateway.config.GatewaySettings;
import io.agcgateway.config.StartupException;
import io.agcgateway.http.HttpReply;
import io.agcgateway.http.PublicCors;
import io.agcgateway.http.RequestBody;
import io.agcgateway.http.vertx.EventLoopServers;
import io.agcgateway.http.vertx.RequestGuard;
import io.agcgateway.integrations.IntegrationStore;
import io.agcgateway.integrations.IntegrationsApi;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.logs.LogsApi;
import io.agcgateway.logs.OperationLog;
import io.agcgateway.metrics.GatewayMetrics;
import io.agcgateway.oauth.TokenClient;
import io.agcgateway.refresh.RefreshPolicy;
import io.agcgateway.refresh.RefreshService;
import io.agcgateway.store.Database;
import io.agcgateway.store.KeyMaterial;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Boots the gateway: settings, store, keys and catalog are checked before Camel starts, so a bad
 * setting ends startup with one line; then camel-main loads routes/*.camel.yaml with the beans bound here.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final Main main;
    private final GatewaySettings settings;
    private final HikariDataSource dataSource;
    private final KeyMaterial keys;

    private Gateway(Main main, GatewaySettings settings, HikariDataSource dataSource, KeyMaterial keys) {
        this.main = main;
        this.settings = settings;
        this.dataSource = dataSource;
        this.keys = keys;
    }

    public static void main(String[] args) {
        Gateway gw;
        try {
            gw = start(Map.of());
        } catch (StartupException e) {
            System.err.println("agc-gateway: cannot start: " + e.getMessage());
            System.exit(2);
            return;
        }
        gw.printBanner();
        Runtime.getRuntime().addShutdownHook(new Thread(gw::close, "gateway-shutdown"));
        try {
            Thread.currentThread().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts a gateway (non-blocking). Overrides beat env vars and files; tests use them for ports and dirs. */
    public static Gateway start(Map<String, String> overrides) {
        GatewaySettings settings = GatewaySettings.load(overrides);
        checkPortFree(settings);
        ProviderCatalog catalog = ProviderCatalog.load(settings.providerFiles(), settings.sandbox(), settings.publicUrl(),
                settings.sandbox() ? io.agcgateway.sandbox.Sandbox.baseUrl(settings) : settings.publicUrl());
        HikariDataSource ds = Database.open(settings);
        Main main = new Main();
        try {
            KeyMaterial keys = KeyMaterial.load(settings, ds);
            Clock clock = Clock.systemUTC();
            main.setDefaultPropertyPlaceholderLocation("false");
            Properties props = new Properties();
            props.putAll(settings.all());
            props.put("gateway.public-url", settings.publicUrl());
            props.put("camel.main.routes-include-pattern", String.join(",", routeFiles(settings.sandbox())));
            main.setOverrideProperties(props);

            RequestBody bodies = new RequestBody(settings.integer("gateway.api.max-body-bytes", 1024, Integer.MAX_VALUE));
            IntegrationStore integrations = new IntegrationStore(ds);
            main.bind("gatewaySettings", settings);
            main.bind("gatewayDb", ds);
            main.bind("databaseHealthCheck", new io.agcgateway.store.DatabaseHealthCheck(ds));
            main.bind("clock", clock);
            main.bind("tokenCipher", keys.cipher);
            main.bind("providerCatalog", catalog);
            ApiKeyAuth apiKeyAuth = new ApiKeyAuth(keys.secretKey);
            main.bind("apiKeyAuth", apiKeyAuth);
            main.bind("reply", new HttpReply());
            main.bind("publicCors", new PublicCors());
            // platform-http runs API requests on Vert.x workers (the proxy runs on the event loops); a step that blocks
            // an event loop longer than max-event-loop-block is logged by Vert.x's checker (tests set it strict).
            // VertxPlatformHttpServer picks this bean up.
            main.bind("vertxOptions", new io.vertx.core.VertxOptions()
                    .setWorkerPoolSize(settings.integer("gateway.http.worker-threads", 4, 1024))
                    .setMaxEventLoopExecuteTime(settings.duration("gateway.http.max-event-loop-block").toNanos())
                    .setWarningExceptionTime(settings.duration("gateway.http.max-event-loop-block").toNanos())
                    .setBlockedThreadCheckInterval(Math.max(10, Math.min(1000, settings.duration("gateway.http.max-event-loop-block").toMillis() / 2))));
            main.bind("openApi", new io.agcgateway.http.OpenApiDocument(settings.publicUrl()));
            main.bind("requestBody", bodies);
            main.bind("integrationStore", integrations);
            main.bind("integrationsApi", new IntegrationsApi(integrations, catalog, keys.cipher, bodies, settings.publicUrl(), clock));

            GatewayMetrics metrics = new GatewayMetrics();
            metrics.attach(main::getCamelContext);
            OperationLog operationLog = new OperationLog(ds, 10_000, settings.duration("gateway.logs.batch-linger"), metrics);
            ConnectionStore connections = new ConnectionStore(ds);
            TokenClient tokenClient = new TokenClient(settings.duration("gateway.proxy.connect-timeout"),
                    settings.duration("gateway.oauth.token-timeout"));
            RefreshService refresh = new RefreshService(connections, integrations, catalog, keys.cipher, tokenClient, operationLog,
                    metrics, new RefreshPolicy(settings.duration("gateway.refresh.margin")), clock, nodeId(),
                    settings.duration("gateway.refresh.lease"));
            main.bind("gatewayMetrics", metrics);
            main.bind("operationLog", operationLog);
            main.bind("logsApi", new LogsApi(ds));
            main.bind("connectionStore", connections);
            main.bind("tokenClient", tokenClient);
            main.bind("refreshService", refresh);
            Extensions.install(main, settings, ds, keys, catalog, clock);
            main.start();
            if (main.getCamelContext() != null && main.getCamelContext().getRoute("refresh-connection") != null) {
                refresh.useRoute(main.getCamelContext().createProducerTemplate());
            }
            if (main.getCamelContext() == null || !main.getCamelContext().isStarted()) {
                throw new StartupException("Camel did not start; the log above names the route or setting at fault");
            }
            int instances = settings.integer("gateway.http.server-instances", 0, 64);
            int maxUri = settings.integer("gateway.http.max-uri-length", 256, 1 << 20);
            int maxConnections = settings.integer("gateway.http.max-connections", 0, 10_000_000);
            EventLoopServers servers = EventLoopServers.takeOver(main.getCamelContext(),
                    settings.host(), settings.port(), instances == 0 ? Runtime.getRuntime().availableProcessors() : instances,
                    settings.duration("gateway.http.idle-timeout"), RequestGuard.decoderLineLimit(maxUri),
                    maxConnections == 0 ? EventLoopServers.defaultMaxConnections() : maxConnections,
                    RequestGuard.of(main.getCamelContext(), settings.integer("gateway.api.max-body-bytes", 1024, Integer.MAX_VALUE),
                            settings.duration("gateway.api.body-timeout"), maxUri, apiKeyAuth));
            main.getCamelContext().getRegistry().bind("eventLoopServers", servers);
            metrics.httpConnections(servers::open, servers::refused);
            return new Gateway(main, settings, ds, keys);
        } catch (RuntimeException e) {
            try {
                main.stop();
            } catch (RuntimeException ignored) {
                // already failing: report the original problem
            }
            ds.close();
            if (e instanceof StartupException) {
                throw e;
            }
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            if (root instanceof java.net.BindException) {
                throw new StartupException("setting gateway.port (env GATEWAY_PORT): port " + settings.port()
                        + " is already in use: stop the other process or choose another port");
            }
            throw new StartupException("Camel failed to start: " + root.getClass().getSimpleName() + ": " + root.getMessage(), e);
        }
    }

    /** Vert.x reports a failed bind only in its log and Camel carries on without a server, so check first. */
    private static void checkPortFree(GatewaySettings settings) {
        if (settings.port() == 0) {
            return;
        }
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new java.net.InetSocketAddress(settings.host(), settings.port()));
        } catch (IOException e) {
            throw new StartupException("setting gateway.port (env GATEWAY_PORT): port " + settings.port() + " on " + settings.host()
                    + " is already in use: stop the other process or choose another port");
        }
    }

    /**
     * Route files: each one in the jar (or classes dir), replaced by ./routes/NAME when that exists, plus any extra
     * ./routes/*.camel.yaml. routes/sandbox/ only in sandbox mode.
     */
    static List<String> routeFiles(boolean sandbox) {
        TreeSet<String> bundled = new TreeSet<>(bundledRoutes());
        TreeSet<String> local = new TreeSet<>();
        Path dir = Path.of("routes");
        for (String sub : sandbox ? List.of("", "sandbox/") : List.of("")) {
            Path d = dir.resolve(sub);
            if (Files.isDirectory(d)) {
                try (Stream<Path> files = Files.list(d)) {
                    files.filter(p -> p.getFileName().toString().endsWith(".camel.yaml"))
                            .forEach(p -> local.add(sub + p.getFileName()));
                } catch (IOException e) {
                    throw new StartupException("cannot list " + d.toAbsolutePath() + ": " + e.getMessage());
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (String name : bundled) {
            if (name.startsWith("sandbox/") && !sandbox) {
                continue;
            }
            out.add(local.contains(name) ? "file:routes/" + name : "classpath:routes/" + name);
        }
        for (String name : local) {
            if (!bundled.contains(name)) {
                out.add("file:routes/" + name);
            }
        }
        if (out.isEmpty()) {
            throw new StartupException("no route files found in the jar or ./routes: rebuild with mvn package");
        }
        return out;
    }

    private static List<String> bundledRoutes() {
        List<String> names = new ArrayList<>();
        try {
            Path source = Path.of(Gateway.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(source)) {
                Path routes = source.resolve("routes");
                if (Files.isDirectory(routes)) {
                    try (Stream<Path> walk = Files.walk(routes)) {
                        walk.filter(p -> p.toString().endsWith(".camel.yaml"))
                                .forEach(p -> names.add(routes.relativize(p).toString().replace('\\', '/')));
                    }
                }
            } else {
                try (JarFile jar = new JarFile(source.toFile())) {
                    for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                        String n = e.nextElement().getName();
                        if (n.startsWith("routes/") && n.endsWith(".camel.yaml")) {
                            names.add(n.substring("routes/".length()));
                        }
                    }
                }
            }
        } catch (IOException | URISyntaxException e) {
            throw new StartupException("cannot list the bundled routes: " + e.getMessage());
        }
        Collections.sort(names);
        return names;
    }

    public void printBanner() {
        String url = settings.publicUrl();
        StringBuilder b = new StringBuilder("\n  agc-gateway is running\n");
        b.append("    dashboard      ").append(url).append("/\n");
        b.append("    API            ").append(url).append("/integrations, /connections, /proxy/...\n");
        b.append("    OAuth callback ").append(url).append("/oauth/callback   (register this in the AGC developer console)\n");
        b.append("    health         ").append(url).append("/observe/health\n");
        if (settings.sandbox()) {
            b.append("    sandbox AGC    ").append(url).append("/sandbox/  (integration agc-sandbox)\n");
        }
        b.append("    store          ").append(settings.isPostgres() ? "PostgreSQL" : "H2 in " + settings.dataDir()).append('\n');
        if (keys.secretKeyGenerated || settings.sandbox()) {
            b.append("    secret key     ").append(keys.secretKey)
                    .append(keys.secretKeyGenerated ? "   (generated now and stored; shown again only in sandbox mode)" : "").append('\n');
        } else {
            b.append("    secret key     ").append(keys.secretKey, 0, 8).append("-...   (set GATEWAY_SECRET_KEY to choose it)\n");
        }
        System.out.println(b);
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

    public <T> T bean(String name, Class<T> type) {
        return main.getCamelContext().getRegistry().lookupByNameAndType(name, type);
    }

    public int port() {
        return settings.port();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + settings.port();
    }

    public String secretKey() {
        return keys.secretKey;
    }

    public GatewaySettings settings() {
        return settings;
    }

    public HikariDataSource dataSource() {
        return dataSource;
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    @Override
    public void close() {
        try {
            EventLoopServers servers = bean("eventLoopServers", EventLoopServers.class);
            if (servers != null) {
                servers.close();
            }
            OperationLog log = bean("operationLog", OperationLog.class);
            if (log != null) {
                log.close();
            }
            main.stop();
        } finally {
            dataSource.close();
        }
        LOG.info("agc-gateway stopped");
    }

    static Map<String, String> mapOf(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
