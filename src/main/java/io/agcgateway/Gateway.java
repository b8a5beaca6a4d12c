package io.agcgateway;

import com.zaxxer.hikari.HikariDataSource;
import io.agcgateway.config.GatewaySettings;
import io.agcgateway.config.StartupException;
import io.agcgateway.store.KeyMaterial;
import io.agcgateway.store.MetaStore;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Boots the gateway in camel-main: settings and the port are checked before Camel starts, so a bad setting ends startup
 * with one line; {@link GatewayBeans#install} (catalog, store, keys, beans) runs as camel-main configures the context,
 * before it loads the {@link RouteFiles}. Other Camel runtimes call the same install (docs/OPERATIONS.md).
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
        String advice = collectorAdvice(ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).toList());
        if (advice != null) {
            LOG.info(advice);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(gw::close, "gateway-shutdown"));
        try {
            Thread.currentThread().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The JVM flags the gateway ships with (README run command, image entrypoint, bench/proxy.sh). */
    static final String SHIPPED_JVM_FLAGS = "-XX:+UseParallelGC -XX:NewRatio=1";

    /**
     * A line for the log when the JVM runs another collector than the shipped flags choose (given the collectors'
     * MXBean names), else null: on the bench, G1 cost the proxy 25-35% more CPU per call (docs/OPERATIONS.md).
     */
    static String collectorAdvice(List<String> collectors) {
        if (collectors.stream().anyMatch(n -> n.startsWith("PS "))) {
            return null;
        }
        return "JVM collector: " + String.join(", ", collectors) + "; the gateway ships with " + SHIPPED_JVM_FLAGS
                + ", which proxied 25-50% more calls per CPU on its bench (docs/OPERATIONS.md, \"JVM and heap\")";
    }

    /** Starts a gateway (non-blocking). Overrides beat env vars and files; tests use them for ports and dirs. */
    public static Gateway start(Map<String, String> overrides) {
        return start(overrides, Clock.systemUTC());
    }

    /** As {@link #start(Map)}, with the clock every bean reads the time from (tests move it instead of editing rows). */
    public static Gateway start(Map<String, String> overrides, Clock clock) {
        GatewaySettings settings = GatewaySettings.load(overrides);
        checkPortFree(settings);
        Main main = new Main();
        AtomicReference<GatewayBeans> installed = new AtomicReference<>();
        try {
            main.setDefaultPropertyPlaceholderLocation("false");
            Properties props = new Properties();
            props.putAll(settings.all());
            props.put("gateway.public-url", settings.publicUrl());
            props.put("camel.main.routes-include-pattern", String.join(",", RouteFiles.locations(settings.sandbox())));
            main.setOverrideProperties(props);
            // the context exists and its properties are set; nothing is configured from them yet, no route is loaded
            main.addMainListener(new MainListenerSupport() {
                @Override
                public void beforeConfigure(BaseMainSupport m) {
                    installed.set(GatewayBeans.install(m.getCamelContext(), settings, clock));
                }
            });
            main.start();
            if (main.getCamelContext() == null || !main.getCamelContext().isStarted()) {
                throw new StartupException("Camel did not start; the log above names the route or setting at fault");
            }
            GatewayBeans beans = installed.get();
            return new Gateway(main, beans.settings(), beans.dataSource(), beans.keys());
        } catch (RuntimeException e) {
            try {
                main.stop();
            } catch (RuntimeException ignored) {
                // already failing: report the original problem
            }
            if (installed.get() != null) {
                installed.get().dataSource().close();
            }
            Throwable root = e;
            while (root.getCause() != null && !(root instanceof StartupException)) {
                root = root.getCause();
            }
            if (root instanceof StartupException) {
                throw (StartupException) root;
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
            main.stop(); // GatewayLifecycle closes the servers, the batched log, the pools and the store with the context
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
