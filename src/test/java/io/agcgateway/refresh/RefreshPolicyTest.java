package io.agcgateway.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.connections.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RefreshPolicy as a table (issue 16 item 3): which connection is due, fresh, backing off or failed, and why. */
class RefreshPolicyTest {
    static final long NOW = 1_800_000_000_000L;
    static final long MIN = 60_000L;
    final RefreshPolicy policy = new RefreshPolicy(Duration.ofMinutes(15));

    /** @param expiresInMin minutes until the access token expires (blank: no expiry); @param nextInMin the backoff's end */
    private static Connection conn(String state, String rt, Long expiresInMin, Long nextInMin) {
        return new Connection(1, 1, "agc", "p", "c1", "at", rt, null, expiresInMin == null ? null : NOW + expiresInMin * MIN, "{}",
                null, null, null, null, state, null, 0, nextInMin == null ? null : NOW + nextInMin * MIN, null, null, NOW, null, null,
                null, 1, NOW - MIN, NOW);
    }

    @ParameterizedTest(name = "{0} rt={1} expires={2}m next={3}m force={4} -> {5} {6}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "ok|rt|60|-|false|FRESH|expires_in_60m",
        "ok|rt|16|-|false|FRESH|expires_in_16m",
        "ok|rt|15|-|false|DUE|expires_in_15m",
        "ok|rt|1|-|false|DUE|expires_in_1m",
        "ok|rt|0|-|false|DUE|expired",
        "ok|rt|-30|-|false|DUE|expired",
        "ok|rt|-|-|false|FRESH|no_expires_at",
        "ok|-|-30|-|false|FRESH|no_refresh_token",
        "ok|-|-30|-|true|FRESH|no_refresh_token",
        "ok|rt|60|-|true|DUE|forced",
        "refresh_failed|rt|-30|-|false|FAILED|refresh_failed_reauthorize",
        "refresh_failed|rt|-30|-|true|DUE|forced",
        "refresh_retrying|rt|-30|2|false|BACKING_OFF|retry_in_120s",
        "refresh_retrying|rt|-30|-1|false|DUE|expired",
        "refresh_retrying|rt|60|-1|false|FRESH|expires_in_60m",
    })
    void decide(String state, String rt, Long expiresInMin, Long nextInMin, boolean force, RefreshDecision.Action action, String reason) {
        RefreshDecision d = policy.decide(conn(state, rt, expiresInMin, nextInMin), force, NOW);
        assertThat(d.action()).isEqualTo(action);
        assertThat(d.reason()).isEqualTo(reason);
        assertThat(d.isDue()).isEqualTo(action == RefreshDecision.Action.DUE);
    }

    @Test
    void backoff_doublesFrom30s_andStopsAtOneHour() {
        assertThat(RefreshPolicy.backoff(0)).isEqualTo(Duration.ofSeconds(30));
        assertThat(RefreshPolicy.backoff(1)).isEqualTo(Duration.ofSeconds(30));
        assertThat(RefreshPolicy.backoff(2)).isEqualTo(Duration.ofSeconds(60));
        assertThat(RefreshPolicy.backoff(5)).isEqualTo(Duration.ofMinutes(8));
        assertThat(RefreshPolicy.backoff(8)).isEqualTo(Duration.ofHours(1));
        assertThat(RefreshPolicy.backoff(1_000)).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void usable_whileTheAccessTokenHasNotExpired() {
        assertThat(RefreshPolicy.usable(conn("ok", "rt", 1L, null), NOW)).isTrue();
        assertThat(RefreshPolicy.usable(conn("ok", "rt", 0L, null), NOW)).isFalse();
        assertThat(RefreshPolicy.usable(conn("ok", "rt", null, null), NOW)).isTrue();
    }
}
