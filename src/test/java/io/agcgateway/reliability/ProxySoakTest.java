package io.agcgateway.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * CI-sized soak (bench/soak.sh is the 5-minute one): 32 concurrent clients for 30 s through /proxy over 4 OAuth
 * connections whose access tokens live 5 s at the provider. Proves: no 5xx (no error at all), about one refresh
 * per expiry per connection (never a burst of duplicates), no family revoked, no lease left behind.
 */
class ProxySoakTest {
    static final int CLIENTS = 32;
    static final int CONNECTIONS = 4;
    static final long SECONDS = 30;
    static final long LIFETIME = 5;
    static final long MARGIN = 1;

    @Test
    void thirtySecondsOf32Clients_withTokensExpiringEvery5s_noErrors_oneRefreshPerExpiry_noLeftLeases() throws Exception {
        Map<String, String> gs = TestGateway.with(TestGateway.settings(TestGateway.Store.H2), "gateway.refresh.margin", MARGIN + "s");
        try (ProviderAndGateway pg = ProviderAndGateway.start(gs, Map.of("gateway.sandbox.token-lifetime", LIFETIME + "s"))) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                ids.add(pg.connect("soak-" + i));
            }
            long before = pg.agc.stats().refreshSuccesses();
            Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
            AtomicLong ioErrors = new AtomicLong();
            long start = System.nanoTime();
            long end = start + SECONDS * 1_000_000_000L;
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> fs = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                fs.add(pool.submit(() -> {
                    int n = client;
                    while (System.nanoTime() < end) {
                        try {
                            Http.Res r = pg.proxyGet(ids.get(n++ % ids.size()), "/rest/api/3/myself");
                            statuses.computeIfAbsent(r.status(), k -> new AtomicLong()).incrementAndGet();
                        } catch (RuntimeException e) {
                            ioErrors.incrementAndGet();
                        }
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            pool.shutdown();
            double elapsed = (System.nanoTime() - start) / 1e9;
            long refreshes = pg.agc.stats().refreshSuccesses() - before;
            Map<Integer, Long> seen = new TreeMap<>();
            statuses.forEach((k, v) -> seen.put(k, v.get()));
            long total = seen.values().stream().mapToLong(Long::longValue).sum();
            // figures for docs/RELIABILITY.md
            System.out.printf("SOAK-CI elapsed=%.1fs requests=%d statuses=%s io_errors=%d refreshes=%d expected~%.1f revoked=%d%n",
                    elapsed, total, seen, ioErrors.get(), refreshes, CONNECTIONS * elapsed / (LIFETIME - MARGIN),
                    pg.agc.stats().revokedFamilies());

            assertThat(total).as("load was actually applied").isGreaterThan(CLIENTS * 5L);
            assertThat(seen).as("every answer 200, no 5xx").containsOnlyKeys(200);
            assertThat(ioErrors.get()).as("no broken connections").isZero();
            // a connection refreshes when its token enters the margin: once per (lifetime - margin) at most, and at least
            // once per lifetime (else its token would have expired while in use)
            double upper = CONNECTIONS * (elapsed / (LIFETIME - MARGIN) + 1);
            double lower = CONNECTIONS * (elapsed / LIFETIME - 1);
            assertThat((double) refreshes).as("refreshes vs expiries").isBetween(lower, upper);
            assertThat(pg.agc.stats().revokedFamilies()).as("no refresh token family revoked").isZero();
            assertThat(pg.leasedRows()).as("no connection left leased").isZero();
            for (String id : ids) {
                assertThat(pg.proxyGet(id, "/rest/api/3/myself").status()).isEqualTo(200);
            }
        }
    }
}
