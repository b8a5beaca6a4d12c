package io.agcgateway.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The connections part of the Health answer, from the store's rows to the histogram the page draws. */
class HealthApiTest {
    private static final Duration WEEK = Duration.ofDays(7);

    @Test
    void noConnections_giveZeroStatesAndAnEmptyHistogramPastTheLimit() {
        Map<String, Object> c = HealthApi.connections(List.of(), WEEK);
        assertThat(c.get("total")).isEqualTo(0L);
        assertThat(c.get("oldest_days")).isNull();
        assertThat(c.get("by_state")).isEqualTo(Map.of("fresh", 0L, "due", 0L, "failing", 0L, "revoked", 0L));
        assertThat((long[]) hist(c).get("days")).hasSize(100);
        assertThat(c.get("keep_alive_days")).isEqualTo(7L);
    }

    @Test
    void agesPastAYear_shareTheLastBar_andCountAsOverTheLimit() {
        Map<String, Object> c = HealthApi.connections(List.of(
                new HealthStore.AgeCount("revoked", 4000, 2), new HealthStore.AgeCount("fresh", 0, 5)), WEEK);
        long[] revoked = (long[]) hist(c).get("revoked");
        assertThat(revoked).hasSize(366);
        assertThat(revoked[365]).isEqualTo(2);
        assertThat(((long[]) hist(c).get("fresh"))[0]).isEqualTo(5);
        assertThat(c.get("over_limit")).isEqualTo(2L);
        assertThat(c.get("oldest_days")).isEqualTo(4000L);
    }

    @Test
    void aClockAheadOfTheRow_countsAsAgeZero_notANegativeIndex() {
        Map<String, Object> c = HealthApi.connections(List.of(new HealthStore.AgeCount("due", -1, 1)), WEEK);
        assertThat(((long[]) hist(c).get("due"))[0]).isEqualTo(1);
        assertThat(c.get("over_limit")).isEqualTo(0L);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> hist(Map<String, Object> c) {
        return (Map<String, Object>) c.get("age_histogram");
    }
}
