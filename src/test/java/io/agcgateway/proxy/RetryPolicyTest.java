package io.agcgateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    static final long NOW = 1_800_000_000_000L;
    final RetryPolicy p = new RetryPolicy(100, 10_000);

    @Test
    void retryable_429_5xx_andRetryOn_only() {
        assertThat(RetryPolicy.retryable(429, Set.of())).isTrue();
        assertThat(RetryPolicy.retryable(503, Set.of())).isTrue();
        assertThat(RetryPolicy.retryable(404, Set.of())).isFalse();
        assertThat(RetryPolicy.retryable(409, Set.of(409))).isTrue();
    }

    @Test
    void retryAfterSeconds_isHonoured() {
        assertThat(p.waitMs(1, Map.of("Retry-After", "3")::get, List.of(), 0, NOW)).isEqualTo(3000);
    }

    @Test
    void resetHeader_epochSeconds_epochMillis_andIso_areHonoured() {
        assertThat(p.waitMs(1, Map.of("x-ratelimit-reset", String.valueOf(NOW / 1000 + 2))::get, List.of("x-ratelimit-reset"), 0, NOW)).isEqualTo(2000);
        assertThat(p.waitMs(1, Map.of("x-ratelimit-reset", String.valueOf(NOW + 1500))::get, List.of("x-ratelimit-reset"), 0, NOW)).isEqualTo(1500);
        assertThat(p.waitMs(1, Map.of("x-ratelimit-reset", java.time.Instant.ofEpochMilli(NOW + 4000).toString())::get,
                List.of("x-ratelimit-reset"), 0, NOW)).isEqualTo(4000);
    }

    @Test
    void withoutHeaders_backoffIsExponentialWithJitter() {
        for (int i = 0; i < 50; i++) {
            assertThat(p.waitMs(1, null, List.of(), 0, NOW)).isBetween(50L, 100L);
            assertThat(p.waitMs(3, null, List.of(), 0, NOW)).isBetween(200L, 400L);
        }
    }

    @Test
    void waitBeyondTheTotalCap_stopsRetrying() {
        assertThat(p.waitMs(1, Map.of("Retry-After", "20")::get, List.of(), 0, NOW)).isEqualTo(-1);
        assertThat(p.waitMs(1, Map.of("Retry-After", "2")::get, List.of(), 9_000, NOW)).isEqualTo(-1);
    }
}
