package io.agcgateway.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.Gateway;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.integrations.Integration;
import io.agcgateway.integrations.IntegrationStore;
import io.agcgateway.sandbox.Sandbox;
import io.agcgateway.sandbox.SandboxAgc;
import io.agcgateway.sandbox.SandboxStats;
import io.agcgateway.support.Seed;
import io.agcgateway.support.TestGateway;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Benchmark (excluded from the default run; bench/sweep.sh runs it): one sweep over N due connections on
 * PostgreSQL against the sandbox AGC answering its token endpoint after L ms (gateway.sandbox.latency). Target
 * (docs/BENCHMARKS.md): 10,000 in under 60 s on 2 cores with 50 ms latency.
 * -Dbench.connections, -Dbench.latency-ms, -Dbench.parallelism override.
 */
@Tag("bench")
class SweepBenchTest {
    @Test
    void sweep_of10000DueConnections_refreshesEachExactlyOnceAtTheSandbox() throws Exception {
        int n = Integer.getInteger("bench.connections", 10_000);
        int latency = Integer.getInteger("bench.latency-ms", 50);
        String parallelism = System.getProperty("bench.parallelism", "16");
        try (Gateway gw = Gateway.start(TestGateway.with(TestGateway.settings(TestGateway.Store.POSTGRES),
                "gateway.sandbox.latency", latency + "ms", "gateway.refresh.sweep-parallelism", parallelism))) {
            gw.context().getRouteController().stopRoute("token-refresh");
            TokenCipher cipher = gw.bean("tokenCipher", TokenCipher.class);
            SandboxAgc agc = gw.bean("sandboxAgc", SandboxAgc.class);
            Integration integration = new IntegrationStore(gw.dataSource()).find(Sandbox.INTEGRATION);
            String secret = cipher.decrypt(integration.clientSecretEnc(), "client_secret");
            String redirect = gw.settings().publicUrl() + "/oauth/callback";

            // consent for N users straight through the emulator's Java API (no latency there), then store them
            long t0 = System.nanoTime();
            List<String[]> tokens = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                SandboxAgc.AuthorizeRequest req = agc.checkAuthorize(Map.of("response_type", "code", "client_id", Sandbox.CLIENT_ID,
                        "redirect_uri", redirect, "scope", "read:jira-work offline_access", "state", "s" + i));
                SandboxAgc.TokenPair pair = agc.exchangeCode(Sandbox.CLIENT_ID, secret, agc.issueCode(req), redirect, null);
                tokens.add(new String[] {"bench-" + i, pair.accessToken(), pair.refreshToken()});
            }
            new Seed(gw.dataSource(), cipher).expiredConnections(integration.id(), tokens);
            long seedMs = (System.nanoTime() - t0) / 1_000_000;
            double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

            com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long t1 = System.nanoTime();
            @SuppressWarnings("unchecked")
            Map<String, Object> run = gw.context().createProducerTemplate().requestBody("direct:token-refresh-run", null, Map.class);
            long sweepMs = (System.nanoTime() - t1) / 1_000_000;
            // CPU of this JVM (gateway + sandbox; PostgreSQL runs apart) per refresh: comparable across machine loads
            double cpuMsPerRefresh = (os.getProcessCpuTime() - cpu0) / 1e6 / n;
            double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

            SandboxStats stats = agc.stats();
            Integer stale = new org.springframework.jdbc.core.JdbcTemplate(gw.dataSource()).queryForObject(
                    "SELECT COUNT(*) FROM connections WHERE expires_at < ?", Integer.class, System.currentTimeMillis());
            String loadavg = Files.exists(Path.of("/proc/loadavg")) ? Files.readString(Path.of("/proc/loadavg")).trim() : "n/a";
            String report = String.format("BENCH refresh sweep (sandbox): connections=%d latency_ms=%d parallelism=%s cores=%d seed_ms=%d "
                            + "sweep_ms=%d refreshes_per_s=%.0f jvm_cpu_ms_per_refresh=%.2f refreshed=%s failed=%s skipped=%s "
                            + "sandbox_refresh_calls=%d revoked_families=%d still_expired=%d load_before=%.2f load_after=%.2f loadavg='%s'",
                    n, latency, parallelism, Runtime.getRuntime().availableProcessors(), seedMs, sweepMs, n * 1000.0 / sweepMs,
                    cpuMsPerRefresh, run.get("refreshed"), run.get("failed"), run.get("skipped"), stats.refreshCalls(),
                    stats.revokedFamilies(), stale, loadBefore, loadAfter, loadavg);
            System.out.println(report);
            Files.writeString(Path.of("target", "bench-sweep.txt"), report + "\n");

            assertThat(run).containsEntry("refreshed", (long) n).containsEntry("failed", 0L);
            assertThat(stats.refreshCalls()).isEqualTo(n);
            assertThat(stats.refreshCallsPerFamily()).hasSize(n).allSatisfy((k, v) -> assertThat(v).isEqualTo(1L));
            assertThat(stats.revokedFamilies()).isZero();
            assertThat(stale).isZero();
        }
    }
}
