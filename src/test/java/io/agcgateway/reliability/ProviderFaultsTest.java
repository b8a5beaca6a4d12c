package io.agcgateway.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.logs.OperationLog;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Faults at the provider (sandbox knobs on a separate provider app): token endpoint 5xx, timeouts and latency;
 * API 5xx, 429 storms with and without Retries, connections dropped in the middle of a body.
 * Tokens live 60 s with a 55 s margin, so a refresh is due 5 s after each one while the old token still works for
 * longer than the gateway's first back-off (30 s, docs/ARCHITECTURE.md "Tokens and refresh") after a failed refresh.
 */
class ProviderFaultsTest {
    static ProviderAndGateway pg;
    static String id;

    @BeforeAll
    static void boot() {
        Map<String, String> gs = TestGateway.with(TestGateway.settings(TestGateway.Store.H2),
                "gateway.refresh.margin", "55s", "gateway.oauth.token-timeout", "1s", "gateway.proxy.retry-base", "100ms",
                "gateway.proxy.idle-timeout", "3s");
        pg = ProviderAndGateway.start(gs, Map.of("gateway.sandbox.token-lifetime", "60s"));
        id = pg.connect("faults");
    }

    @AfterAll
    static void stop() {
        pg.close();
    }

    @AfterEach
    void resetKnobs() {
        pg.control("{\"reset\":true}");
    }

    private Http.Res myself(String... headers) {
        return pg.proxyGet(id, "/rest/api/3/myself", headers);
    }

    /** Calls every 200 ms for the given time; returns the statuses. */
    private List<Integer> drive(long millis) throws InterruptedException {
        List<Integer> out = new ArrayList<>();
        long end = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < end) {
            out.add(myself().status());
            Thread.sleep(200);
        }
        return out;
    }

    /** After a failed refresh the gateway backs off 30 s; an explicit force_refresh (API) is the way back sooner. */
    private void forceRefresh() {
        Http.Res r = pg.http.get("/connections/" + id + "?provider_config_key=" + ProviderAndGateway.KEY + "&force_refresh=true");
        assertThat(r.status()).as("force_refresh after the fault: " + r).isEqualTo(200);
    }

    private long failedRefreshOps() {
        pg.gateway.bean("operationLog", OperationLog.class).flush(5_000);
        Long n = pg.db().queryForObject("SELECT COUNT(*) FROM operations WHERE op_type='refresh' AND status='failed'", Long.class);
        return n == null ? 0 : n;
    }

    @Test
    void tokenEndpoint5xx_keepsServingTheStillValidToken_thenRecovers_andLogsTheFailure() throws Exception {
        long ok = pg.agc.stats().refreshSuccesses();
        long failedOps = failedRefreshOps();
        pg.control("{\"token_failures\":{\"count\":1,\"status\":503}}");
        Thread.sleep(5_500); // the token is now due
        List<Integer> statuses = drive(2_000);
        forceRefresh();
        statuses.addAll(drive(1_000));
        assertThat(statuses).as("old token served while the token endpoint fails").containsOnly(200);
        assertThat(pg.agc.stats().refreshSuccesses()).as("recovered after the fault").isGreaterThan(ok);
        assertThat(failedRefreshOps()).as("each failed refresh is an operation").isGreaterThanOrEqualTo(failedOps + 1);
        assertThat(pg.agc.stats().revokedFamilies()).isZero();
    }

    @Test
    void tokenEndpointTimeout_keepsServing_andTheRotatedButUnseenPairIsRecoveredInsideTheReuseWindow() throws Exception {
        long ok = pg.agc.stats().refreshSuccesses();
        long failedOps = failedRefreshOps();
        // the provider answers after the gateway gave up (token-timeout 1 s): it rotated a pair the gateway never saw
        pg.control("{\"token_latency_ms\":2500}");
        Thread.sleep(5_500);
        assertThat(myself().status()).isEqualTo(200);
        assertThat(failedRefreshOps()).as("the timeout is logged").isGreaterThan(failedOps);
        pg.control("{\"reset\":true}");
        Thread.sleep(1_500); // the provider finishes the rotation nobody will store
        forceRefresh();
        List<Integer> statuses = drive(1_000);
        assertThat(statuses).containsOnly(200);
        assertThat(pg.agc.stats().refreshSuccesses()).as("refreshed with the old token inside the reuse window").isGreaterThanOrEqualTo(ok + 1);
        assertThat(pg.agc.stats().revokedFamilies()).as("no family revoked").isZero();
    }

    @Test
    void latencyAtProviderAndTokenEndpoint_slowsButNeverFails() throws Exception {
        pg.control("{\"latency_ms\":300,\"token_latency_ms\":400}");
        assertThat(drive(4_000)).containsOnly(200);
    }

    @Test
    void api5xx_withRetries_isRetriedToSuccess_withoutIsRelayedAsTheProvidersAnswer() {
        long calls = pg.agc.stats().apiCalls();
        pg.control("{\"api_failures\":{\"count\":2,\"status\":503}}");
        assertThat(myself("Retries", "3").status()).isEqualTo(200);
        assertThat(pg.agc.stats().apiCalls() - calls).as("two failed tries, then the good one").isEqualTo(3);

        pg.control("{\"api_failures\":{\"count\":1,\"status\":502}}");
        Http.Res r = myself();
        assertThat(r.status()).as("the provider's own status, relayed").isEqualTo(502);
        assertThat(r.body()).as("not a gateway error").doesNotContain("upstream_unreachable");
        assertThat(myself().status()).isEqualTo(200);
    }

    @Test
    void rateLimitStorm_withRetries_everyCallerGetsThrough_withoutRetries_429AndRetryAfterAreRelayed() throws Exception {
        pg.control("{\"rate_limit\":{\"count\":1,\"retry_after\":1}}");
        Http.Res limited = myself();
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.header("Retry-After")).isEqualTo("1");

        pg.control("{\"rate_limit\":{\"count\":12,\"retry_after\":1}}");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            fs.add(pool.submit(() -> myself("Retries", "5").status()));
        }
        for (Future<Integer> f : fs) {
            assertThat(f.get()).as("each caller waits out the storm").isEqualTo(200);
        }
        pool.shutdown();
    }

    /** One call with a 10 s budget: a caller must get an answer (or a closed connection), never be left waiting. */
    private static java.net.http.HttpResponse<String> boundedMyself(String... headers) throws Exception {
        var b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(pg.gateway.baseUrl()
                        + "/proxy/ex/jira/%7BconnectionConfig.cloudId%7D/rest/api/3/myself"))
                .timeout(java.time.Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + pg.gateway.secretKey())
                .header("Provider-Config-Key", ProviderAndGateway.KEY).header("Connection-Id", id);
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        // the request timeout only covers the headers: bound the body too
        var f = Http.CLIENT.sendAsync(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        try {
            return f.get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            f.cancel(true);
            throw new java.net.http.HttpTimeoutException("no complete answer within 10 s");
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof java.io.IOException io ? io : new java.io.IOException(e.getCause());
        }
    }

    @Test
    void connectionDroppedMidBody_isAClear502_neverAHangingCaller() throws Exception {
        pg.control("{\"drop_connection\":{\"count\":1}}");
        java.net.http.HttpResponse<String> broken;
        try {
            broken = boundedMyself();
        } catch (java.net.http.HttpTimeoutException e) {
            throw new AssertionError("the caller got no complete answer within 10 s after the provider reset mid-body", e);
        } catch (java.io.IOException e) {
            broken = null; // the gateway closed the caller's connection: a clear failure, acceptable
        }
        if (broken != null) {
            assertThat(broken.statusCode()).as(broken.body()).isEqualTo(502);
            assertThat(broken.body()).contains("upstream_unreachable");
        }
        assertThat(myself().status()).as("the next call is fine").isEqualTo(200);
    }

    @Test
    void connectionDroppedMidBody_withRetries_isRetriedToSuccess() throws Exception {
        pg.control("{\"drop_connection\":{\"count\":1}}");
        java.net.http.HttpResponse<String> r;
        try {
            r = boundedMyself("Retries", "2");
        } catch (java.io.IOException e) {
            throw new AssertionError("Retries: 2 did not cover a reset mid-body: " + e, e);
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void gatewaySideProxyErrors_answerTheirOwnStatusAndCode_neverA500() {
        Http.Res unknown = pg.proxyGet("no-such-connection", "/rest/api/3/myself");
        assertThat(unknown.status()).as(unknown.toString()).isEqualTo(404);
        assertThat(unknown.json().at("/error/code").asText()).isEqualTo("unknown_connection");
        Http.Res badPath = pg.http.send("GET", "/proxy/ex/%2e%2e/x", null, "Provider-Config-Key", ProviderAndGateway.KEY, "Connection-Id", id);
        assertThat(badPath.status()).as(badPath.toString()).isEqualTo(400);
        assertThat(badPath.json().at("/error/code").asText()).isEqualTo("invalid_proxy_path");
    }
}
