package io.agcgateway.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.Gateway;
import io.agcgateway.connections.Connection;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.http.GatewayException;
import io.agcgateway.logs.OperationLog;
import io.agcgateway.refresh.RefreshService;
import io.agcgateway.support.FakeTokenEndpoint;
import io.agcgateway.support.Http;
import io.agcgateway.support.Seed;
import io.agcgateway.support.TestGateway;
import org.junit.jupiter.api.Test;

/**
 * The Health page classifies the refresh rows RefreshService really writes (not hand-made ones): one refresh of each
 * outcome against a token endpoint that answers 200, 400 invalid_grant and 503, then the page's counts and states.
 */
class HealthRefreshOutcomesTest {

    @Test
    void realRefreshes_okRejectedTransient_areCountedInRowsMetricsAndStates() throws Exception {
        try (FakeTokenEndpoint provider = new FakeTokenEndpoint(600_000);
             Gateway gw = Gateway.start(TestGateway.with(TestGateway.settings(TestGateway.Store.H2), "gateway.sandbox", "false",
                     "gateway.providers", provider.catalogFile().toString(), "gateway.oauth.token-timeout", "1s"))) {
            gw.context().getRouteController().stopRoute("token-refresh");
            Seed seed = new Seed(gw.dataSource(), gw.bean("tokenCipher", TokenCipher.class));
            long integration = seed.integration("fake", FakeTokenEndpoint.PROVIDER);
            RefreshService refresh = gw.bean("refreshService", RefreshService.class);
            long now = System.currentTimeMillis();
            Connection ok = seed.connection(integration, "ok", now - 1000, now, now);
            Connection rejected = seed.connection(integration, "rejected", now - 1000, now, now);
            Connection transientFailure = seed.connection(integration, "transient", now - 1000, now, now);

            refresh.ensureFresh(ok, false);
            provider.failNext(400, "{\"error\":\"invalid_grant\",\"error_description\":\"refresh token revoked\"}");
            assertThatThrownBy(() -> refresh.ensureFresh(rejected, false)).isInstanceOf(GatewayException.class);
            provider.failNext(503, "{}");
            assertThatThrownBy(() -> refresh.ensureFresh(transientFailure, false)).isInstanceOf(GatewayException.class);
            gw.bean("operationLog", OperationLog.class).flush(10_000);

            JsonNode health = new Http(gw.baseUrl(), gw.secretKey()).get("/dashboard/api/health").json();
            for (String part : new String[] {"/refresh/totals", "/refresh/since_start"}) {
                assertThat(health.at(part + "/ok").asLong()).as(part).isEqualTo(1);
                assertThat(health.at(part + "/rejected").asLong()).as(part).isEqualTo(1);
                assertThat(health.at(part + "/transient").asLong()).as(part).isEqualTo(1);
            }
            assertThat(health.at("/connections/by_state/fresh").asLong()).isEqualTo(1);
            assertThat(health.at("/connections/by_state/revoked").asLong()).isEqualTo(1);
            assertThat(health.at("/connections/by_state/failing").asLong()).isEqualTo(1);
            assertThat(health.at("/connections/by_state/due").asLong()).isZero();
        }
    }
}
