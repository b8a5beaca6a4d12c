package io.agcgateway.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.Gateway;
import io.agcgateway.sandbox.SandboxAgc;
import io.agcgateway.support.FlowDriver;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The gateway (a child JVM on PostgreSQL) killed with -9 while refreshes of every connection are in flight at a slow
 * provider, then started again: every connection still works, no refresh-token family was revoked (each stored
 * refresh token is still accepted: the provider rotated pairs the dead node never stored, and the old token is
 * accepted again inside the reuse window), no connection stays leased after the lease time.
 */
class GatewayKillTest {
    static final int CONNECTIONS = 8;

    @Test
    void killMinus9DuringRefreshes_restart_everyConnectionWorks_noFamilyRevoked_noLeaseLeft() throws Exception {
        int port = TestGateway.freePort();
        String base = "http://127.0.0.1:" + port;
        String secretKey = UUID.randomUUID().toString();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String dbUrl = TestGateway.newPostgresDatabase();
        Path dir = TestGateway.tempDir();
        Map<String, String> provSettings = TestGateway.with(TestGateway.settings(TestGateway.Store.H2),
                "gateway.sandbox.redirect-uris", base + "/oauth/callback");
        try (Gateway provider = Gateway.start(provSettings)) {
            SandboxAgc agc = provider.bean("sandboxAgc", SandboxAgc.class);
            FlowDriver providerFlow = new FlowDriver(provider.baseUrl(), provider.secretKey());
            Map<String, String> env = new HashMap<>();
            env.put("GATEWAY_PORT", String.valueOf(port));
            env.put("GATEWAY_HOST", "127.0.0.1");
            env.put("GATEWAY_PUBLIC_URL", base);
            env.put("GATEWAY_DATA_DIR", dir.toString());
            env.put("GATEWAY_SECRET_KEY", secretKey);
            env.put("GATEWAY_ENCRYPTION_KEY", Base64.getEncoder().encodeToString(key));
            env.put("GATEWAY_DB_URL", dbUrl);
            env.put("GATEWAY_DB_USER", "postgres");
            env.put("GATEWAY_DB_PASSWORD", "postgres");
            env.put("GATEWAY_SANDBOX", "true");
            env.put("GATEWAY_SANDBOX_BASE_URL", provider.baseUrl());
            env.put("GATEWAY_REFRESH_LEASE", "5s");
            env.put("GATEWAY_OAUTH_TOKEN_TIMEOUT", "20s");

            Process child = startChild(env, dir.resolve("run1.log"), base);
            List<String> ids = new ArrayList<>();
            FlowDriver flow = new FlowDriver(base, secretKey);
            Http http = flow.http;
            try {
                var creds = providerFlow.http.get("/integrations/agc-sandbox?include=credentials").json().at("/data/credentials");
                assertThat(http.post("/integrations", "{\"unique_key\":\"agc\",\"provider\":\"atlassian-government-cloud-sandbox\","
                        + "\"credentials\":{\"type\":\"OAUTH2\",\"client_id\":\"" + creds.path("client_id").asText() + "\",\"client_secret\":\""
                        + creds.path("client_secret").asText() + "\",\"scopes\":\"offline_access\"}}").status()).isIn(200, 201);
                for (int i = 0; i < CONNECTIONS; i++) {
                    String token = flow.session("kill-" + i, "agc");
                    Http.Res c = flow.connect("agc", token, null);
                    assertThat(flow.abs(providerFlow.approve(c.header("Location"), null)).status()).isEqualTo(200);
                    ids.add(flow.onlyConnection("kill-" + i).path("connection_id").asText());
                }
                // every refresh now hangs 4 s at the provider: kill the gateway while all are in flight
                providerFlow.http.post("/sandbox/_control", "{\"token_latency_ms\":4000}");
                long callsBefore = agc.stats().refreshCalls();
                ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS * 2);
                List<Future<Integer>> inflight = new ArrayList<>();
                for (String id : ids) {
                    inflight.add(pool.submit(() -> http.get("/connections/" + id + "?provider_config_key=agc&force_refresh=true").status()));
                    inflight.add(pool.submit(() -> proxy(http, id).status()));
                }
                long deadline = System.currentTimeMillis() + 30_000;
                while (leased(dbUrl) < CONNECTIONS && System.currentTimeMillis() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(leased(dbUrl)).as("every connection has a refresh in flight").isEqualTo(CONNECTIONS);
                Thread.sleep(500);
                child.destroyForcibly(); // SIGKILL
                child.waitFor(10, TimeUnit.SECONDS);
                int broken = 0;
                for (Future<Integer> f : inflight) {
                    try {
                        f.get(30, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException e) {
                        broken++; // the caller sees its connection reset: clear, nothing half-answered
                    }
                }
                pool.shutdown();
                System.out.printf("KILL in-flight calls broken by the kill: %d of %d; leased rows at kill: %d%n", broken, inflight.size(), leased(dbUrl));
                assertThat(broken).as("calls were in flight when the gateway died").isGreaterThan(0);
            } finally {
                child.destroyForcibly();
            }
            // the provider finishes the rotations into dead sockets: those new pairs are lost with the process
            Thread.sleep(4_500);
            long rotatedUnseen = agc.stats().refreshCalls();
            providerFlow.http.post("/sandbox/_control", "{\"reset\":true}");

            long restartAt = System.currentTimeMillis();
            Process again = startChild(env, dir.resolve("run2.log"), base);
            try {
                for (String id : ids) {
                    Http.Res r = http.get("/connections/" + id + "?provider_config_key=agc&force_refresh=true");
                    assertThat(r.status()).as("refresh after restart: " + r).isEqualTo(200);
                    assertThat(proxy(http, id).status()).isEqualTo(200);
                }
                Thread.sleep(Math.max(0, restartAt + 5_500 - System.currentTimeMillis()));
                assertThat(leased(dbUrl)).as("no connection left leased after the lease time").isZero();
                assertThat(agc.stats().revokedFamilies()).as("no refresh-token family revoked").isZero();
                for (String id : ids) {
                    assertThat(proxy(http, id).status()).isEqualTo(200);
                }
                String log2 = Files.readString(dir.resolve("run1.log")) + Files.readString(dir.resolve("run2.log"));
                System.out.printf("KILL provider refresh calls around the kill: %d; revoked families: %d; restart to all-refreshed: %d ms%n",
                        rotatedUnseen, agc.stats().revokedFamilies(), System.currentTimeMillis() - restartAt);
                for (String id : ids) {
                    assertThat(log2).doesNotContain(id + "\" access"); // sanity: log holds ids, never token bodies
                }
            } finally {
                again.destroyForcibly();
                again.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Http.Res proxy(Http http, String id) {
        return http.send("GET", "/proxy/ex/jira/%7BconnectionConfig.cloudId%7D/rest/api/3/myself", null,
                "Provider-Config-Key", "agc", "Connection-Id", id);
    }

    private static int leased(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM connections WHERE lease_owner IS NOT NULL")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    static Process startChild(Map<String, String> env, Path log, String base) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "io.agcgateway.Gateway");
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        pb.directory(new File(System.getProperty("user.dir")));
        Process p = pb.start();
        Http probe = new Http(base, null);
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("gateway child exited: " + Files.readString(log));
            }
            try {
                if (probe.get("/observe/health").status() == 200) {
                    return p;
                }
            } catch (RuntimeException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        p.destroyForcibly();
        throw new AssertionError("gateway child did not start: " + Files.readString(log));
    }
}
