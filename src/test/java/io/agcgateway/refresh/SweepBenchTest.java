package io.agcgateway.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.Gateway;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.support.FakeTokenEndpoint;
import io.agcgateway.support.Seed;
import io.agcgateway.support.TestGateway;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Benchmark (excluded from the default run; bench/sweep.sh runs it): one sweep over N due connections on
 * PostgreSQL against a token endpoint answering in L ms. Target (docs/BENCHMARKS.md): 10,000 in under 60 s on
 * 2 cores with 50 ms latency. -Dbench.connections, -Dbench.latency-ms, -Dbench.parallelism override.
 */
@Tag("bench")
class SweepBenchTest {
    @Test
    void sweep_of10000DueConnections_refreshesEachExactlyOnce() throws Exception {
        int n = Integer.getInteger("bench.connections", 10_000);
        int latency = Integer.getInteger("bench.latency-ms", 50);
        String parallelism = System.getProperty("bench.parallelism", "16");
        try (FakeTokenEndpoint provider = new FakeTokenEndpoint(600_000);
             Gateway gw = Gateway.start(TestGateway.with(TestGateway.settings(TestGateway.Store.POSTGRES), "gateway.sandbox", "false",
                     "gateway.providers", provider.catalogFile().toString(), "gateway.refresh.sweep-parallelism", parallelism))) {
            gw.context().getRouteController().stopRoute("token-refresh");
            provider.latency(latency);
            Seed seed = new Seed(gw.dataSource(), gw.bean("tokenCipher", TokenCipher.class));
            long integration = seed.integration("bench", FakeTokenEndpoint.PROVIDER);
            long t0 = System.nanoTime();
            seed.expiredConnections(integration, "b", n);
            long seedMs = (System.nanoTime() - t0) / 1_000_000;
            double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

            com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long t1 = System.nanoTime();
            @SuppressWarnings("unchecked")
            Map<String, Object> run = gw.context().createProducerTemplate().requestBody("direct:token-refresh-run", null, Map.class);
            long sweepMs = (System.nanoTime() - t1) / 1_000_000;
            // CPU of this JVM (gateway + fake endpoint; PostgreSQL runs apart) per refresh: comparable across machine loads
            double cpuMsPerRefresh = (os.getProcessCpuTime() - cpu0) / 1e6 / n;
            double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

            Integer stale = new ConnectionStore(gw.dataSource()).jdbc().queryForObject(
                    "SELECT COUNT(*) FROM connections WHERE expires_at < ?", Integer.class, System.currentTimeMillis());
            String loadavg = Files.exists(Path.of("/proc/loadavg")) ? Files.readString(Path.of("/proc/loadavg")).trim() : "n/a";
            String report = String.format("BENCH refresh sweep: connections=%d latency_ms=%d parallelism=%s cores=%d seed_ms=%d sweep_ms=%d "
                            + "refreshes_per_s=%.0f jvm_cpu_ms_per_refresh=%.2f refreshed=%s failed=%s skipped=%s provider_calls=%d unauthorized=%d still_expired=%d "
                            + "load_before=%.2f load_after=%.2f loadavg='%s'",
                    n, latency, parallelism, Runtime.getRuntime().availableProcessors(), seedMs, sweepMs, n * 1000.0 / sweepMs, cpuMsPerRefresh,
                    run.get("refreshed"), run.get("failed"), run.get("skipped"), provider.refreshCalls.get(), provider.unauthorized.get(),
                    stale, loadBefore, loadAfter, loadavg);
            System.out.println(report);
            Files.writeString(Path.of("target", "bench-sweep.txt"), report + "\n");

            assertThat(run).containsEntry("refreshed", (long) n).containsEntry("failed", 0L);
            assertThat(provider.refreshCalls.get()).isEqualTo(n);
            assertThat(provider.callsByFamily()).hasSize(n).allSatisfy((k, v) -> assertThat(v).isEqualTo(1));
            assertThat(stale).isZero();
        }
    }
}
