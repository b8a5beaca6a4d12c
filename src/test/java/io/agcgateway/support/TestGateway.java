package io.agcgateway.support;

import io.agcgateway.Gateway;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Boots the real gateway (real routes, random port, temp data dir) on H2 or on an embedded PostgreSQL. */
public final class TestGateway {
    public enum Store { H2, POSTGRES }

    private static EmbeddedPostgres postgres;
    private static final AtomicInteger DB_SEQ = new AtomicInteger();

    private TestGateway() {
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path tempDir() {
        try {
            return Files.createTempDirectory("agc-gateway-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Settings for a fresh gateway with the sandbox on; callers may add or replace entries before start. */
    public static Map<String, String> settings(Store store) {
        Map<String, String> s = new HashMap<>();
        int port = freePort();
        s.put("gateway.port", String.valueOf(port));
        s.put("gateway.host", "127.0.0.1");
        s.put("gateway.public-url", "http://127.0.0.1:" + port);
        s.put("gateway.data-dir", tempDir().toString());
        s.put("gateway.sandbox", "true");
        s.put("gateway.secret-key", "");
        s.put("gateway.encryption-key", "");
        s.put("gateway.db.url", "");
        s.put("gateway.providers", "");
        s.put("gateway.webhook.url", "");
        s.put("gateway.cluster", "false");
        if (store == Store.POSTGRES) {
            s.put("gateway.db.url", newPostgresDatabase());
            s.put("gateway.db.user", "postgres");
            s.put("gateway.db.password", "postgres");
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            s.put("gateway.encryption-key", Base64.getEncoder().encodeToString(key));
        }
        return s;
    }

    public static Gateway start(Store store) {
        return Gateway.start(settings(store));
    }

    /** One embedded PostgreSQL per test JVM; each call makes a new empty database on it. */
    public static synchronized String newPostgresDatabase() {
        try {
            if (postgres == null) {
                postgres = EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        postgres.close();
                    } catch (IOException ignored) {
                        // JVM is exiting
                    }
                }));
            }
            String name = "gw" + ProcessHandle.current().pid() + "_" + DB_SEQ.incrementAndGet();
            try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + name);
            }
            return postgres.getJdbcUrl("postgres", name);
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("embedded PostgreSQL failed to start", e);
        }
    }

    public static EmbeddedPostgres postgres() {
        newPostgresDatabase();
        return postgres;
    }

    public static Map<String, String> with(Map<String, String> base, String... kv) {
        Map<String, String> m = new HashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
