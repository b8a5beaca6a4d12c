package io.agcgateway.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.connections.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SweepPolicyTest {
    private static final long NOW = 1_800_000_000_000L;
    private static final long MIN = 60_000L;
    private static final long DAY = 86_400_000L;
    // margin 15 m, sweep every minute -> looks 2 m ahead; active = used within 24 h; keep-alive after 7 d
    private final SweepPolicy policy = new SweepPolicy(Duration.ofMinutes(15), Duration.ofMinutes(2), Duration.ofHours(24), Duration.ofDays(7));

    private static Connection conn(String state, Long expiresAt, Long lastUsedAt, Long rtIssuedAt, Long lastRefreshAt, Long nextRefreshAt,
                                   Long leaseUntil, String rt) {
        return new Connection(1, 1, "agc", "p", "c1", "at", rt, null, expiresAt, "{}", null, null, null, null, state, null, 0,
                nextRefreshAt, lastRefreshAt, rtIssuedAt, lastUsedAt, null, leaseUntil == null ? null : "n", leaseUntil, 1,
                NOW - 30 * DAY, NOW);
    }

    private static Connection active(long expiresIn) {
        return conn(Connection.OK, NOW + expiresIn, NOW - 60 * MIN, NOW - DAY, null, null, null, "rt");
    }

    @Test
    void activeConnection_dueBeforeTheNextSweep_isRefreshedAhead() {
        SweepDecision d = policy.decide(active(16 * MIN), NOW);
        assertThat(d.refresh()).isTrue();
        assertThat(d.reason()).isEqualTo("active_expires_in_16m");
    }

    @Test
    void activeConnection_alreadyExpired_isRefreshed() {
        assertThat(policy.decide(active(-5 * MIN), NOW)).isEqualTo(SweepDecision.refresh("active_expired"));
    }

    @Test
    void activeConnection_dueOnlyAfterTheNextSweeps_isSkipped() {
        assertThat(policy.decide(active(18 * MIN), NOW)).isEqualTo(SweepDecision.skip("active_fresh"));
    }

    @Test
    void idleConnection_withExpiredAccessToken_andYoungRefreshToken_isLeftToOnDemandRefresh() {
        Connection idle = conn(Connection.OK, NOW - 3 * DAY, NOW - 3 * DAY, NOW - 3 * DAY, null, null, null, "rt");
        assertThat(policy.decide(idle, NOW)).isEqualTo(SweepDecision.skip("idle_recent"));
    }

    @Test
    void idleConnection_withRefreshTokenOlderThanKeepAliveAge_isRefreshedSoItNeverDiesOfInactivity() {
        Connection idle = conn(Connection.OK, NOW - 8 * DAY, NOW - 40 * DAY, NOW - 8 * DAY, null, null, null, "rt");
        assertThat(policy.decide(idle, NOW)).isEqualTo(SweepDecision.refresh("keep_alive_refresh_token_age_8d"));
    }

    @Test
    void keepAlive_countsARefreshThatKeptTheOldRefreshToken() {
        // providers that do not rotate: the token was spent 2 days ago although issued 20 days ago
        Connection idle = conn(Connection.OK, NOW - DAY, NOW - 40 * DAY, NOW - 20 * DAY, NOW - 2 * DAY, null, null, "rt");
        assertThat(policy.decide(idle, NOW).refresh()).isFalse();
    }

    @Test
    void keepAlive_withoutIssueTime_usesTheConsentTime() {
        Connection idle = conn(Connection.OK, NOW - DAY, NOW - 40 * DAY, null, null, null, null, "rt");
        assertThat(policy.decide(idle, NOW)).isEqualTo(SweepDecision.refresh("keep_alive_refresh_token_age_30d"));
    }

    @Test
    void refreshFailedConnection_isSkippedUntilReauthorised() {
        Connection failed = conn(Connection.REFRESH_FAILED, NOW - MIN, NOW, NOW - 9 * DAY, null, null, null, "rt");
        assertThat(policy.decide(failed, NOW)).isEqualTo(SweepDecision.skip("refresh_failed"));
    }

    @Test
    void connectionBackingOff_isSkippedUntilItsRetryTime() {
        Connection retrying = conn(Connection.REFRESH_RETRYING, NOW - MIN, NOW, NOW - DAY, null, NOW + 30_000, null, "rt");
        assertThat(policy.decide(retrying, NOW)).isEqualTo(SweepDecision.skip("backing_off"));
        assertThat(policy.decide(retrying, NOW + 30_001).refresh()).isTrue();
    }

    @Test
    void connectionBeingRefreshedElsewhere_isSkipped() {
        Connection leased = conn(Connection.OK, NOW - MIN, NOW, NOW - DAY, null, null, NOW + 10_000, "rt");
        assertThat(policy.decide(leased, NOW)).isEqualTo(SweepDecision.skip("being_refreshed"));
        assertThat(policy.decide(leased, NOW + 10_001).refresh()).as("an expired lease (crashed node) no longer blocks").isTrue();
    }

    @Test
    void connectionWithoutRefreshToken_isSkipped() {
        Connection none = conn(Connection.OK, NOW - MIN, NOW, NOW - 9 * DAY, null, null, null, null);
        assertThat(policy.decide(none, NOW)).isEqualTo(SweepDecision.skip("no_refresh_token"));
    }

    @Test
    void windowsFollowTheSettings() {
        assertThat(policy.dueBefore(NOW)).isEqualTo(NOW + 17 * MIN);
        assertThat(policy.activeSince(NOW)).isEqualTo(NOW - DAY);
        assertThat(policy.keepAliveBefore(NOW)).isEqualTo(NOW - 7 * DAY);
    }

    @Test
    void cronInterval_isTheTimeBetweenTwoFires() {
        assertThat(SweepScheduler.cronInterval("0 * * * * ?")).isEqualTo(Duration.ofMinutes(1));
        assertThat(SweepScheduler.cronInterval("0/5 * * * * ?")).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void cronInterval_rejectsABadCronWithTheSettingNamed() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SweepScheduler.cronInterval("every minute"))
                .hasMessageContaining("gateway.refresh.sweep-cron").hasMessageContaining("GATEWAY_REFRESH_SWEEP_CRON");
    }
}
