package io.agcgateway.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.Gateway;
import io.agcgateway.support.HealthSeed;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * GET /dashboard/api/health over real HTTP against seeded rows (support/HealthSeed), on H2 and PostgreSQL by the
 * subclasses: the percentiles, the bucketed GROUP BYs and the age arithmetic are SQL both must run alike.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class HealthApiContract {
    Gateway gw;
    Http http;
    JsonNode empty;
    JsonNode seeded;
    String seededBody;

    abstract TestGateway.Store store();

    @BeforeAll
    void boot() {
        gw = Gateway.start(TestGateway.with(TestGateway.settings(store()), HealthSeed.SWEEP_OFF));
        http = new Http(gw.baseUrl(), gw.secretKey());
        Http.Res before = http.get("/dashboard/api/health");
        assertThat(before.status()).as(before.toString()).isEqualTo(200);
        empty = before.json();
        HealthSeed.seed(gw);
        Http.Res after = http.get("/dashboard/api/health");
        assertThat(after.status()).as(after.toString()).isEqualTo(200);
        seededBody = after.body();
        seeded = after.json();
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    @Test
    void freshInstall_answersZerosAndEmptySeries() {
        assertThat(empty.at("/proxy/requests").asLong()).isZero();
        assertThat(empty.at("/proxy/latency_ms/p95").isNull()).isTrue();
        assertThat(empty.at("/proxy/series/time")).hasSize(60);
        assertThat(empty.at("/proxy/series/requests")).allSatisfy(v -> assertThat(v.asLong()).isZero());
        assertThat(empty.at("/refresh/series/ok")).hasSize(24);
        assertThat(empty.at("/connections/total").asLong()).isZero();
        assertThat(empty.at("/connections/oldest_days").isNull()).isTrue();
        assertThat(empty.at("/connections/age_histogram/days")).hasSize(100);
    }

    @Test
    void proxy_countsTheLastHour_withErrorsAndPercentiles() {
        JsonNode p = seeded.path("proxy");
        assertThat(p.path("requests").asLong()).isEqualTo(100);
        assertThat(p.path("errors").asLong()).isEqualTo(10);
        assertThat(p.at("/latency_ms/p50").asDouble()).isCloseTo(50.5, within(0.11));
        assertThat(p.at("/latency_ms/p95").asDouble()).isCloseTo(95.05, within(0.11));
        assertThat(p.at("/latency_ms/p99").asDouble()).isCloseTo(99.01, within(0.11));
        long perMinute = 0;
        long errorsPerMinute = 0;
        for (int i = 0; i < 60; i++) {
            perMinute += p.at("/series/requests/" + i).asLong();
            errorsPerMinute += p.at("/series/errors/" + i).asLong();
        }
        assertThat(perMinute).isEqualTo(100);
        assertThat(errorsPerMinute).isEqualTo(10);
        // 30 distinct minutes hold calls; the others have no latency, not a zero one
        int withLatency = 0;
        for (JsonNode v : p.at("/series/p50_ms")) {
            withLatency += v.isNull() ? 0 : 1;
        }
        assertThat(withLatency).isBetween(29, 31);
        assertThat(p.at("/series/time/1").asLong() - p.at("/series/time/0").asLong()).isEqualTo(60);
    }

    @Test
    void refresh_countsOutcomesOfTheLastDay_fromTheOperationRows() {
        JsonNode totals = seeded.at("/refresh/totals");
        assertThat(totals.path("ok").asLong()).isEqualTo(3);
        assertThat(totals.path("rejected").asLong()).isEqualTo(2);
        assertThat(totals.path("transient").asLong()).isEqualTo(1);
        assertThat(seeded.at("/refresh/since_start").fieldNames()).toIterable()
                .containsExactly("ok", "rejected", "transient", "recovered");
    }

    @Test
    void connections_byState_andRefreshTokenAge() {
        JsonNode c = seeded.path("connections");
        assertThat(c.path("total").asLong()).isEqualTo(6);
        assertThat(c.at("/by_state/fresh").asLong()).isEqualTo(2);
        assertThat(c.at("/by_state/due").asLong()).isEqualTo(1);
        assertThat(c.at("/by_state/failing").asLong()).isEqualTo(1);
        assertThat(c.at("/by_state/revoked").asLong()).isEqualTo(2);
        assertThat(c.path("oldest_days").asLong()).isEqualTo(95);
        assertThat(c.path("over_limit").asLong()).isEqualTo(1);
        assertThat(c.path("inactivity_limit_days").asInt()).isEqualTo(90);
        assertThat(c.path("keep_alive_days").asInt()).isEqualTo(7);
        JsonNode ages = c.path("age_histogram");
        assertThat(ages.at("/fresh/1").asLong()).isEqualTo(1);
        assertThat(ages.at("/fresh/3").asLong()).isEqualTo(1);
        assertThat(ages.at("/due/10").asLong()).isEqualTo(1);
        assertThat(ages.at("/failing/2").asLong()).isEqualTo(1);
        assertThat(ages.at("/revoked/95").asLong()).isEqualTo(1);
        assertThat(ages.at("/revoked/20").asLong()).as("spent 20 days ago by a refresh that kept it").isEqualTo(1);
        assertThat(ages.at("/revoked/40").asLong()).isZero();
    }

    @Test
    void withoutTheSecretKey_is401() {
        Http.Res r = new Http(gw.baseUrl(), null).get("/dashboard/api/health");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body()).doesNotContain("by_state");
    }

    @Test
    void answer_holdsNoTokenNoKeyNoConnectionId() {
        for (String token : HealthSeed.tokens()) {
            assertThat(seededBody).doesNotContain(token);
        }
        assertThat(seededBody).doesNotContain(gw.secretKey()).doesNotContain("fresh-1").doesNotContain("health-int");
    }
}
