package io.agcgateway.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import io.agcgateway.connections.Connection;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.http.Json;
import io.agcgateway.support.ClusterProcess;
import io.agcgateway.support.Http;
import io.agcgateway.support.Seed;
import io.agcgateway.support.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Many nodes on one PostgreSQL (docs/SCALE-OUT.md), with REAL separate JVMs (ClusterNode): Quartz's JDBC cluster and the
 * refresh lease only mean something across processes. A separate gateway process serves the sandbox AGC; every
 * node's sandbox provider points at it (gateway.sandbox.base-url): ONE provider and its counters (GET /sandbox/_stats).
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest {
    private static final String CRON = "0/3 * * * * ?";
    private static TokenCipher cipher;
    private static HikariDataSource ds;
    private static Seed seed;
    private static long integrationId;
    private static Map<String, String> env;
    private static final List<ClusterProcess> nodes = new ArrayList<>();
    private static ClusterProcess sandbox;
    private static ClusterProcess a;
    private static ClusterProcess b;

    @BeforeAll
    static void cluster() {
        String url = TestGateway.newPostgresDatabase();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        env = new HashMap<>();
        env.put("GATEWAY_DB_URL", url);
        env.put("GATEWAY_DB_USER", "postgres");
        env.put("GATEWAY_DB_PASSWORD", "postgres");
        env.put("GATEWAY_DB_POOL_SIZE", "8");
        env.put("GATEWAY_ENCRYPTION_KEY", Base64.getEncoder().encodeToString(key));
        env.put("GATEWAY_SECRET_KEY", "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b");
        env.put("GATEWAY_CLUSTER", "true");
        env.put("GATEWAY_SANDBOX", "true");
        env.put("GATEWAY_REFRESH_SWEEP_CRON", CRON);
        // short lease so the crash test recovers in seconds, not 30 s
        env.put("GATEWAY_REFRESH_LEASE", "5s");
        // nodes start one after the other: the first one migrates the schema
        // ONE provider for all nodes, in its own process like the real AGC: a gateway serving the sandbox takes no
        // test calls (a node calling its own sandbox would compete with the calls for its HTTP worker threads),
        // is not in the Quartz cluster and never sweeps (yearly cron)
        Map<String, String> providerEnv = new HashMap<>(env);
        providerEnv.put("GATEWAY_CLUSTER", "false");
        providerEnv.put("GATEWAY_REFRESH_SWEEP_CRON", "0 0 0 1 1 ?");
        sandbox = start("node-sandbox", providerEnv);
        env.put("GATEWAY_SANDBOX_BASE_URL", sandbox.baseUrl());
        a = start("node-a", env);
        b = start("node-b", env);
        ds = new HikariDataSource();
        ds.setJdbcUrl(url);
        ds.setUsername("postgres");
        ds.setPassword("postgres");
        ds.setMaximumPoolSize(4);
        cipher = new TokenCipher(key);
        seed = new Seed(ds, cipher);
        integrationId = new JdbcTemplate(ds).queryForObject("SELECT id FROM integrations WHERE unique_key='agc-sandbox'", Long.class);
    }

    private static ClusterProcess start(String name, Map<String, String> env, String... jvmArgs) {
        ClusterProcess p = ClusterProcess.start(name, env, jvmArgs);
        nodes.add(p);
        return p;
    }

    @AfterAll
    static void stop() {
        nodes.forEach(ClusterProcess::close);
        if (ds != null) {
            ds.close();
        }
    }

    /**
     * A connection authorised at the sandbox node (authorize with auto_approve, then the code exchange), stored
     * expired and idle so only the calls of the test (not the sweep) refresh it.
     */
    private static Connection idleExpired(String id) throws Exception {
        String redirect = sandbox.baseUrl() + "/oauth/callback";
        Http anon = new Http(sandbox.baseUrl(), null);
        Http.Res auth = anon.get("/sandbox/authorize?response_type=code&client_id=agc-sandbox-client&auto_approve=true&state=s"
                + "&scope=read%3Ajira-work%20offline_access&redirect_uri=" + java.net.URLEncoder.encode(redirect, "UTF-8"));
        assertThat(auth.status()).as(auth.toString()).isEqualTo(302);
        String code = auth.header("Location").replaceAll(".*[?&]code=([^&]+).*", "$1");
        String secretEnc = new JdbcTemplate(ds).queryForObject("SELECT meta_value FROM gateway_meta WHERE meta_key='sandbox_client_secret'",
                String.class);
        String secret = cipher.decrypt(secretEnc, "sandbox_client_secret");
        String form = "grant_type=authorization_code&client_id=agc-sandbox-client&client_secret=" + java.net.URLEncoder.encode(secret, "UTF-8")
                + "&code=" + code + "&redirect_uri=" + java.net.URLEncoder.encode(redirect, "UTF-8");
        HttpResponse<String> tok = Http.CLIENT.send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/sandbox/oauth/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(tok.statusCode()).as(tok.body()).isEqualTo(200);
        JsonNode t = Json.read(tok.body());
        long now = System.currentTimeMillis();
        Connection c = seed.connection(integrationId, id, now - 1000, now - 3 * 86_400_000L, now);
        new JdbcTemplate(ds).update("UPDATE connections SET access_token_enc=?, refresh_token_enc=? WHERE id=?",
                cipher.encrypt(t.get("access_token").asText(), "access_token"), cipher.encrypt(t.get("refresh_token").asText(), "refresh_token"),
                c.id());
        return new ConnectionStore(ds).findById(c.id());
    }

    private static JsonNode sandboxStats() {
        return new Http(sandbox.baseUrl(), null).get("/sandbox/_stats").json();
    }

    private static CompletableFuture<HttpResponse<String>> refreshCall(ClusterProcess node, long rowId) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(node.baseUrl() + "/_test/refresh/" + rowId))
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.noBody()).build();
        return Http.CLIENT.sendAsync(req, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(1)
    void twoNodes_200ConcurrentCallsForOneExpiredConnection_refreshOnceAtTheProvider() throws Exception {
        Connection c = idleExpired("shared");
        JsonNode before = sandboxStats();
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            calls.add(refreshCall(a, c.id()));
            calls.add(refreshCall(b, c.id()));
        }
        CompletableFuture.allOf(calls.toArray(new CompletableFuture[0])).join();

        Map<Integer, Integer> statuses = new HashMap<>();
        calls.forEach(f -> statuses.merge(f.join().statusCode(), 1, Integer::sum));
        JsonNode after = sandboxStats();
        long refreshes = after.get("refresh_calls").asLong() - before.get("refresh_calls").asLong();
        System.out.println("200 concurrent calls over 2 nodes: statuses " + statuses + ", sandbox refresh calls " + refreshes
                + ", sandbox stats " + after);
        assertThat(statuses).containsExactly(Map.entry(200, 200));
        assertThat(refreshes).as("exactly one refresh at the sandbox provider").isEqualTo(1);
        assertThat(after.get("refresh_successes").asLong() - before.get("refresh_successes").asLong()).isEqualTo(1);
        assertThat(after.get("revoked_families").asLong()).as("no unauthorized_client: no family revoked").isZero();
        Connection row = new ConnectionStore(ds).findById(c.id());
        assertThat(row.refreshTokenEnc()).isNotEqualTo(c.refreshTokenEnc());
        assertThat(row.refreshState()).isEqualTo(Connection.OK);
        assertThat(row.leaseOwner()).isNull();
    }

    @Test
    @Order(2)
    void crashAfterTokenResponse_recoversOnTheNextAttemptInsideTheReuseWindow() throws Exception {
        ClusterProcess crashing = start("node-crash", env, "-Dagc.fault=after-token-response");
        Connection c = idleExpired("crash");
        long refreshesBefore = sandboxStats().get("refresh_calls").asLong();

        HttpResponse<String> lost = null;
        try {
            lost = refreshCall(crashing, c.id()).get(60, TimeUnit.SECONDS);
        } catch (Exception expected) {
            // the node halted mid-request: the connection is reset
        }
        assertThat(crashing.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(crashing.process.exitValue()).as("halted at the fault point, answer " + lost).isEqualTo(137);
        assertThat(sandboxStats().get("refresh_successes").asLong()).as("the provider rotated the token").isGreaterThan(0);
        assertThat(sandboxStats().get("refresh_calls").asLong() - refreshesBefore).isEqualTo(1);
        Connection stranded = new ConnectionStore(ds).findById(c.id());
        assertThat(stranded.refreshTokenEnc()).as("the new pair was never stored").isEqualTo(c.refreshTokenEnc());
        assertThat(stranded.leaseOwner()).as("the dead node's lease is still in the row").isNotNull();

        long t0 = System.currentTimeMillis();
        HttpResponse<String> recovered = refreshCall(a, c.id()).get(60, TimeUnit.SECONDS);
        long took = System.currentTimeMillis() - t0;
        System.out.println("crash recovery: next attempt answered " + recovered.statusCode() + " after " + took + " ms (lease 5 s)");

        assertThat(recovered.statusCode()).isEqualTo(200);
        Connection after = new ConnectionStore(ds).findById(c.id());
        assertThat(after.refreshState()).isEqualTo(Connection.OK);
        assertThat(after.refreshTokenEnc()).as("old token accepted inside the reuse window, new pair stored").isNotEqualTo(c.refreshTokenEnc());
        assertThat(sandboxStats().get("refresh_calls").asLong() - refreshesBefore).isEqualTo(2);
        assertThat(sandboxStats().get("revoked_families").asLong()).as("no family revoked: no re-consent needed").isZero();
    }

    private record SweepRun(String node, long startedAt) {
    }

    private static SweepRun lastSweep(JdbcTemplate jdbc) {
        List<String> v = jdbc.queryForList("SELECT meta_value FROM gateway_meta WHERE meta_key=?", String.class, RefreshSweep.LAST_RUN_KEY);
        if (v.isEmpty()) {
            return null;
        }
        JsonNode j = Json.read(v.get(0));
        return new SweepRun(j.get("node").asText(), j.get("started_at").asLong());
    }

    private static long pidOf(String nodeId) {
        return Long.parseLong(nodeId.split("/")[1]);
    }

    @Test
    @Order(3)
    void killNine_ofTheNodeRunningTheSweep_theOtherRunsTheNextOne() throws Exception {
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        // watch sweeps for ~15 s: every fire runs on exactly one node
        Map<Long, String> runs = new LinkedHashMap<>();
        long until = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < until) {
            SweepRun r = lastSweep(jdbc);
            if (r != null) {
                runs.putIfAbsent(r.startedAt(), r.node());
            }
            Thread.sleep(50);
        }
        System.out.println("sweeps before the kill (started_at -> node): " + runs);
        assertThat(runs).hasSizeGreaterThanOrEqualTo(3);
        List<Long> times = new ArrayList<>(runs.keySet());
        for (int i = 1; i < times.size(); i++) {
            assertThat(times.get(i) - times.get(i - 1)).as("one run per 3-second fire, never two").isGreaterThan(2_000L);
        }

        SweepRun last = lastSweep(jdbc);
        ClusterProcess victim = pidOf(last.node()) == a.pid() ? a : b;
        ClusterProcess survivor = victim == a ? b : a;
        assertThat(pidOf(last.node())).isEqualTo(victim.pid());
        // kill right after a fire: the victim has likely acquired the next trigger already (the hard case)
        long killedAt = System.currentTimeMillis();
        victim.kill9();
        System.out.println("killed " + victim.name + " (pid " + victim.pid() + ") at " + killedAt + ", last sweep " + last.startedAt());

        SweepRun next = null;
        long deadline = killedAt + 90_000;
        while (System.currentTimeMillis() < deadline) {
            SweepRun r = lastSweep(jdbc);
            if (r != null && r.startedAt() > killedAt) {
                next = r;
                break;
            }
            Thread.sleep(50);
        }
        assertThat(next).as("a sweep ran after the kill").isNotNull();
        assertThat(pidOf(next.node())).isEqualTo(survivor.pid());
        long failover = next.startedAt() - killedAt;
        long gap = next.startedAt() - last.startedAt();
        System.out.println("FAILOVER: first sweep on " + survivor.name + " " + failover + " ms after kill -9 (gap between sweeps "
                + gap + " ms, cron every 3 s, checkin 5 s)");
        assertThat(failover).isLessThan(60_000L);
        String survivorLog = survivor.output();
        System.out.println("survivor saw the failure: " + survivorLog.contains("failed or restarted instances"));
    }
}
