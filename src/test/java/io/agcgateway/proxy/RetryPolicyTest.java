package io.agcgateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.catalog.RetryHeaders;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    static final long NOW = 1_800_000_000_000L;
    static final RetryHeaders RESET_AT = new RetryHeaders(List.of("x-ratelimit-reset"), List.of());
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
        assertThat(p.waitMs(1, Map.of("Retry-After", "3")::get, RetryHeaders.NONE, 0, NOW)).isEqualTo(3000);
    }

    @Test
    void resetHeader_epochSeconds_epochMillis_andIso_areHonoured() {
        assertThat(p.waitMs(1, Map.of("x-ratelimit-reset", String.valueOf(NOW / 1000 + 2))::get, RESET_AT, 0, NOW)).isEqualTo(2000);
        assertThat(p.waitMs(1, Map.of("x-ratelimit-reset", String.valueOf(NOW + 1500))::get, RESET_AT, 0, NOW)).isEqualTo(1500);
        assertThat(p.waitMs(1, Map.of("x-ratelimit-reset", java.time.Instant.ofEpochMilli(NOW + 4000).toString())::get,
                RESET_AT, 0, NOW)).isEqualTo(4000);
    }

    @Test
    void providerAfterHeader_isSecondsToWait_andTheLongestDeclaredWaitWins() {
        RetryHeaders after = new RetryHeaders(List.of("x-ratelimit-reset"), List.of("x-wait-seconds"));
        assertThat(p.waitMs(1, Map.of("x-wait-seconds", "4")::get, after, 0, NOW)).isEqualTo(4000);
        assertThat(p.waitMs(1, Map.of("x-wait-seconds", "2", "x-ratelimit-reset", String.valueOf(NOW / 1000 + 3),
                "Retry-After", "1")::get, after, 0, NOW)).isEqualTo(3000);
        // a header the catalog does not declare is not read
        assertThat(p.waitMs(1, Map.of("x-wait-seconds", "4")::get, RetryHeaders.NONE, 0, NOW)).isBetween(50L, 100L);
    }

    @Test
    void withoutHeaders_waitStaysBetweenHalfAndAllOfTheExponentialStep() {
        for (int i = 0; i < 1_000; i++) {
            assertThat(p.waitMs(1, null, RetryHeaders.NONE, 0, NOW)).isBetween(50L, 100L);
            assertThat(p.waitMs(3, null, RetryHeaders.NONE, 0, NOW)).isBetween(200L, 400L);
            assertThat(p.waitMs(5, Map.of("X-Other", "1")::get, RetryHeaders.NONE, 0, NOW)).isBetween(800L, 1_600L);
        }
    }

    @Test
    void withoutHeaders_jitterSpreadsTheWaitsOfOneAttempt() {
        // 1,000 draws over the 201 values of [200, 400]: a fixed or barely varying wait misses both ends;
        // a uniform one misses them with a chance below 1e-50
        List<Long> waits = IntStream.range(0, 1_000).mapToObj(i -> p.waitMs(3, null, RetryHeaders.NONE, 0, NOW)).toList();
        assertThat(new HashSet<>(waits)).hasSizeGreaterThan(100);
        assertThat(Collections.min(waits)).isLessThan(225L);
        assertThat(Collections.max(waits)).isGreaterThan(375L);
    }

    @Test
    void waitBeyondTheTotalCap_stopsRetrying() {
        assertThat(p.waitMs(1, Map.of("Retry-After", "20")::get, RetryHeaders.NONE, 0, NOW)).isEqualTo(-1);
        assertThat(p.waitMs(1, Map.of("Retry-After", "2")::get, RetryHeaders.NONE, 9_000, NOW)).isEqualTo(-1);
    }
}
