package io.agcgateway.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import io.agcgateway.connections.Connection;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.http.Json;
import io.agcgateway.support.ClusterProcess;
import io.agcgateway.support.FakeTokenEndpoint;
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
 * Many nodes on one PostgreSQL (DESIGN §9), with REAL separate JVMs (ClusterNode): Quartz's JDBC cluster and the
 * refresh lease only mean something across processes. The token endpoint lives in this JVM so all nodes share it.
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest {
    private static final String CRON = "0/3 * * * * ?";
    private static FakeTokenEndpoint provider;
    private static HikariDataSource ds;
    private static Seed seed;
    private static long integrationId;
    private static Map<String, String> env;
    private static final List<ClusterProcess> nodes = new ArrayList<>();
    private static ClusterProcess a;
    private static ClusterProcess b;

    @BeforeAll
    static void cluster() {
        provider = new FakeTokenEndpoint(600_000);
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
        env.put("GATEWAY_SANDBOX", "false");
        env.put("GATEWAY_PROVIDERS", provider.catalogFile().toString());
        env.put("GATEWAY_REFRESH_SWEEP_CRON", CRON);
        // short lease so the crash test recovers in seconds, not 30 s
        env.put("GATEWAY_REFRESH_LEASE", "5s");
        // nodes start one after the other: the first one migrates the schema
        a = start("node-a", env);
        b = start("node-b", env);
        ds = new HikariDataSource();
        ds.setJdbcUrl(url);
        ds.setUsername("postgres");
        ds.setPassword("postgres");
        ds.setMaximumPoolSize(4);
        seed = new Seed(ds, new TokenCipher(key));
        integrationId = seed.integration("fake", FakeTokenEndpoint.PROVIDER);
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
        provider.close();
    }

    /** An expired connection nobody used recently: the sweep leaves it to on-demand refresh. */
    private static Connection idleExpired(String id) {
        long now = System.currentTimeMillis();
        return seed.connection(integrationId, id, now - 1000, now - 3 * 86_400_000L, now);
    }

    private static CompletableFuture<HttpResponse<String>> refreshCall(ClusterProcess node, long rowId) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(node.baseUrl() + "/_test/refresh/" + rowId))
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.noBody()).build();
        return Http.CLIENT.sendAsync(req, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(1)
    void twoNodes_200ConcurrentCallsForOneExpiredConnection_refreshOnceAtTheProvider() {
        Connection c = idleExpired("shared");
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            calls.add(refreshCall(a, c.id()));
            calls.add(refreshCall(b, c.id()));
        }
        CompletableFuture.allOf(calls.toArray(new CompletableFuture[0])).join();

        Map<Integer, Integer> statuses = new HashMap<>();
        calls.forEach(f -> statuses.merge(f.join().statusCode(), 1, Integer::sum));
        System.out.println("200 concurrent calls over 2 nodes: statuses " + statuses + ", provider calls " + provider.calls("shared"));
        assertThat(statuses).containsExactly(Map.entry(200, 200));
        assertThat(provider.calls("shared")).isEqualTo(1);
        assertThat(provider.unauthorized.get()).isZero();
        Connection after = new ConnectionStore(ds).findById(c.id());
        assertThat(seed.refreshToken(after)).isEqualTo("rt.shared.2");
        assertThat(after.leaseOwner()).isNull();
    }

    @Test
    @Order(2)
    void crashAfterTokenResponse_recoversOnTheNextAttemptInsideTheReuseWindow() throws Exception {
        ClusterProcess crashing = start("node-crash", env, "-Dagc.fault=after-token-response");
        Connection c = idleExpired("crash");

        HttpResponse<String> lost = null;
        try {
            lost = refreshCall(crashing, c.id()).get(60, TimeUnit.SECONDS);
        } catch (Exception expected) {
            // the node halted mid-request: the connection is reset
        }
        assertThat(crashing.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(crashing.process.exitValue()).as("halted at the fault point, answer " + lost).isEqualTo(137);
        assertThat(provider.calls("crash")).as("the provider rotated the token").isEqualTo(1);
        Connection stranded = new ConnectionStore(ds).findById(c.id());
        assertThat(seed.refreshToken(stranded)).as("the new pair was never stored").isEqualTo("rt.crash.1");
        assertThat(stranded.leaseOwner()).as("the dead node's lease is still in the row").isNotNull();

        long t0 = System.currentTimeMillis();
        HttpResponse<String> recovered = refreshCall(a, c.id()).get(60, TimeUnit.SECONDS);
        long took = System.currentTimeMillis() - t0;
        System.out.println("crash recovery: next attempt answered " + recovered.statusCode() + " after " + took + " ms (lease 5 s)");

        assertThat(recovered.statusCode()).isEqualTo(200);
        Connection after = new ConnectionStore(ds).findById(c.id());
        assertThat(after.refreshState()).isEqualTo(Connection.OK);
        assertThat(seed.refreshToken(after)).as("old token accepted inside the reuse window, new pair stored").isEqualTo("rt.crash.3");
        assertThat(provider.unauthorized.get()).as("no family revoked: no re-consent needed").isZero();
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
