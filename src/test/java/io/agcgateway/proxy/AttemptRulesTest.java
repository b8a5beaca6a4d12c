package io.agcgateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.http.vertx.UpstreamBusyException;
import io.vertx.core.buffer.Buffer;
import java.net.ConnectException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The decision after each attempt, as a table: what came back, what the call allows, what happens next. */
class AttemptRulesTest {
    static final long NOW = 1_800_000_000_000L;
    final AttemptRules rules = new AttemptRules(new RetryPolicy(100, 10_000));

    static ProxyCall call(int retries, Set<Integer> retryOn, Map<String, Object> forward, boolean streamed) {
        ProxyCall c = new ProxyCall(NOW, null, "POST", "jira", "u1", "/x", null, retries, retryOn, forward, null, false);
        if (streamed) {
            c.bodyStreamed();
        } else {
            c.bodyKept(Buffer.buffer("{}"));
        }
        c.attemptStarted();
        return c;
    }

    static ProxyCall call(int retries) {
        return call(retries, Set.of(), new LinkedHashMap<>(), false);
    }

    @ParameterizedTest(name = "status {0} with Retries {1} -> {2}")
    @CsvSource({
            "200, 0, relay", "200, 3, relay", "404, 3, relay", "400, 3, relay",
            "401, 0, refresh", "401, 3, refresh",
            "429, 0, relay", "429, 3, retry", "500, 3, retry", "503, 3, retry", "503, 0, relay",
            "409, 3, relay"})
    void afterAnswer_table(int status, int retries, String expected) {
        assertThat(rules.afterAnswer(call(retries), status, h -> null, NOW).kind()).isEqualTo(expected);
    }

    @Test
    void retryOn_addsStatusesToRetry() {
        assertThat(rules.afterAnswer(call(2, Set.of(409), new LinkedHashMap<>(), false), 409, h -> null, NOW).kind()).isEqualTo("retry");
    }

    @Test
    void secondUpstream401_afterARefresh_isRelayed() {
        ProxyCall c = call(0);
        c.tokenRefreshed(null);
        assertThat(rules.afterAnswer(c, 401, h -> null, NOW).kind()).isEqualTo("relay");
    }

    @Test
    void upstream401_withTheCallersOwnAuthorization_isRelayed_neverSpendsARotation() {
        Map<String, Object> forward = new LinkedHashMap<>(Map.of("Authorization", "Bearer mine"));
        assertThat(rules.afterAnswer(call(0, Set.of(), forward, false), 401, h -> null, NOW).kind()).isEqualTo("relay");
    }

    @Test
    void streamedBody_alreadySent_isNeverReplayed() {
        ProxyCall c = call(3, Set.of(), new LinkedHashMap<>(), true);
        assertThat(rules.afterAnswer(c, 401, h -> null, NOW).kind()).isEqualTo("relay");
        assertThat(rules.afterAnswer(c, 503, h -> null, NOW).kind()).isEqualTo("relay");
        assertThat(rules.afterFailure(c, new ConnectException("refused"), NOW).error().code()).isEqualTo("upstream_unreachable");
    }

    @Test
    void retryAfterHeader_setsTheWait() {
        AttemptDecision d = rules.afterAnswer(call(1), 429, Map.of("Retry-After", "2")::get, NOW);
        assertThat(d.kind()).isEqualTo("retry");
        assertThat(d.waitMs()).isEqualTo(2000);
    }

    @Test
    void retriesAreCounted_theLastAttemptRelays() {
        ProxyCall c = call(1);
        assertThat(rules.afterAnswer(c, 503, h -> null, NOW).kind()).isEqualTo("retry");
        c.attemptStarted();
        assertThat(rules.afterAnswer(c, 503, h -> null, NOW).kind()).isEqualTo("relay");
    }

    @Test
    void failures_mapToTheirOwnErrors() {
        assertThat(rules.afterFailure(call(0), new ConnectException("refused"), NOW).error().status()).isEqualTo(502);
        AttemptDecision timeout = rules.afterFailure(call(0), new TimeoutException("idle"), NOW);
        assertThat(timeout.error().status()).isEqualTo(504);
        assertThat(timeout.error().code()).isEqualTo("upstream_timeout");
        AttemptDecision busy = rules.afterFailure(call(3), new UpstreamBusyException("full", null), NOW);
        assertThat(busy.kind()).as("the provider was never asked: Retries do not apply").isEqualTo("fail");
        assertThat(busy.error().status()).isEqualTo(503);
        assertThat(busy.error().code()).isEqualTo("upstream_busy");
    }

    @Test
    void aPooledConnectionClosedUnderTheCall_isRetriedOnceForFree() {
        ProxyCall c = call(0);
        AttemptDecision first = rules.afterFailure(c, new io.vertx.core.http.HttpClosedException("closed"), NOW);
        assertThat(first.kind()).isEqualTo("retry");
        assertThat(first.waitMs()).isZero();
        c.attemptStarted();
        assertThat(rules.afterFailure(c, new io.vertx.core.http.HttpClosedException("closed"), NOW).error().code())
                .isEqualTo("upstream_unreachable");
    }

    @Test
    void failure_withRetries_isRetried() {
        assertThat(rules.afterFailure(call(2), new ConnectException("refused"), NOW).kind()).isEqualTo("retry");
    }
}
