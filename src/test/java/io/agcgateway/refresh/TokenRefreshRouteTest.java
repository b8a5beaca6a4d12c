package io.agcgateway.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agcgateway.Gateway;
import io.agcgateway.connections.Connection;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.http.GatewayException;
import io.agcgateway.http.Json;
import io.agcgateway.support.FakeTokenEndpoint;
import io.agcgateway.support.Seed;
import io.agcgateway.support.TestGateway;
import io.micrometer.core.instrument.MeterRegistry;
import io.agcgateway.metrics.GatewayMetrics;
import java.util.Map;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** routes/token-refresh.camel.yaml and routes/refresh-connection.camel.yaml on the real app (H2). */
class TokenRefreshRouteTest {
    private static final long MIN = 60_000L;
    private static final long DAY = 86_400_000L;
    private FakeTokenEndpoint provider;
    private Gateway gw;
    private Seed seed;
    private long integrationId;
    private ProducerTemplate template;
    private ConnectionStore store;
    private JdbcTemplate sql;
    private QueuedWebhooks webhooks;

    @BeforeEach
    void boot() throws Exception {
        provider = new FakeTokenEndpoint(600_000);
        gw = Gateway.start(TestGateway.with(TestGateway.settings(TestGateway.Store.H2), "gateway.sandbox", "false",
                "gateway.providers", provider.catalogFile().toString(), "gateway.refresh.sweep-page-size", "10",
                "gateway.webhook.url", "http://127.0.0.1:9/webhooks"));
        // the test runs the sweep itself; the Quartz trigger must not fire in between
        gw.context().getRouteController().stopRoute("token-refresh");
        webhooks = new QueuedWebhooks(gw);
        seed = new Seed(gw.dataSource(), gw.bean("tokenCipher", TokenCipher.class));
        integrationId = seed.integration("fake", FakeTokenEndpoint.PROVIDER);
        template = gw.context().createProducerTemplate();
        store = gw.bean("connectionStore", ConnectionStore.class);
        sql = new JdbcTemplate(gw.dataSource());
    }

    @AfterEach
    void stop() {
        webhooks.all(); // drain the queue of the stopped webhooks route, or shutdown waits 45 s for it
        gw.close();
        provider.close();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> sweep() {
        return template.requestBody("direct:token-refresh-run", null, Map.class);
    }

    @Test
    void sweep_refreshesActiveDueAndOldIdle_skipsTheRest() {
        long now = System.currentTimeMillis();
        Connection activeDue = seed.connection(integrationId, "active-due", now + 16 * MIN, now - 60 * MIN, now - DAY);
        Connection activeExpired = seed.connection(integrationId, "active-expired", now - 5 * MIN, now - 2 * 60 * MIN, now - DAY);
        Connection activeFresh = seed.connection(integrationId, "active-fresh", now + 50 * MIN, now, now - DAY);
        Connection idleOld = seed.connection(integrationId, "idle-old", now - 20 * DAY, now - 30 * DAY, now - 8 * DAY);
        Connection idleRecent = seed.connection(integrationId, "idle-recent", now - 2 * DAY, now - 30 * DAY, now - 2 * DAY);
        Connection failed = seed.connection(integrationId, "failed", now - MIN, now, now - 9 * DAY);
        sql.update("UPDATE connections SET refresh_state='refresh_failed' WHERE id=?", failed.id());
        Connection backingOff = seed.connection(integrationId, "backing-off", now - MIN, now, now - DAY);
        sql.update("UPDATE connections SET refresh_state='refresh_retrying', refresh_failures=1, next_refresh_at=? WHERE id=?",
                now + 60_000, backingOff.id());

        Map<String, Object> run = sweep();

        assertThat(provider.callsByFamily()).containsOnlyKeys("active-due", "active-expired", "idle-old");
        assertThat(provider.callsByFamily().values()).containsOnly(1);
        assertThat(run).containsEntry("refreshed", 3L).containsEntry("failed", 0L).containsEntry("skipped", 1L);
        for (Connection c : new Connection[] {activeDue, activeExpired, idleOld}) {
            Connection after = store.findById(c.id());
            assertThat(seed.refreshToken(after)).isEqualTo("rt." + c.connectionId() + ".2");
            assertThat(after.expiresAt()).isGreaterThan(now + 50 * MIN);
        }
        for (Connection c : new Connection[] {activeFresh, idleRecent, failed, backingOff}) {
            assertThat(store.findById(c.id()).version()).isEqualTo(c.version());
        }
        // the next sweep finds nothing to do: exactly one provider call per connection
        Map<String, Object> again = sweep();
        assertThat(again).containsEntry("refreshed", 0L);
        assertThat(provider.refreshCalls.get()).isEqualTo(3);
    }

    @Test
    void sweep_pagesThroughMoreConnectionsThanOnePage() {
        long now = System.currentTimeMillis();
        for (int i = 0; i < 25; i++) {
            seed.connection(integrationId, "paged-" + i, now - MIN, now, now - DAY);
            seed.connection(integrationId, "fresh-" + i, now + 55 * MIN, now, now - DAY);
        }
        Map<String, Object> run = sweep();
        assertThat(run).containsEntry("refreshed", 25L);
        assertThat(provider.callsByFamily()).hasSize(25).allSatisfy((k, v) -> assertThat(v).isEqualTo(1));
    }

    @Test
    void sweep_redoesRefreshesAStoppedNodeLeftHalfDone_first_andOnce() {
        long now = System.currentTimeMillis();
        for (int i = 0; i < 25; i++) {
            seed.connection(integrationId, "paged-" + i, now - MIN, now, now - DAY);
        }
        // a node died mid-refresh (lease taken, never released): one row not otherwise due, one due; highest ids
        Connection notDue = seed.connection(integrationId, "crashed-fresh", now + 50 * MIN, now, now - DAY);
        Connection due = seed.connection(integrationId, "crashed-due", now - MIN, now, now - DAY);
        Connection live = seed.connection(integrationId, "leased-live", now + 50 * MIN, now, now - DAY);
        sql.update("UPDATE connections SET lease_owner='dead-node', lease_until=? WHERE id IN (?,?)", now - 1_000,
                notDue.id(), due.id());
        sql.update("UPDATE connections SET lease_owner='live-node', lease_until=? WHERE id=?", now + 60_000, live.id());

        Map<String, Object> run = sweep();

        assertThat(provider.callOrder).hasSize(27);
        assertThat(provider.callOrder.stream().limit(2)).as("redone before any other row")
                .containsExactlyInAnyOrder("crashed-fresh", "crashed-due");
        assertThat(provider.callsByFamily()).doesNotContainKey("leased-live").allSatisfy((k, v) -> assertThat(v).isEqualTo(1));
        assertThat(run).containsEntry("refreshed", 27L).containsEntry("failed", 0L);
        for (Connection c : new Connection[] {notDue, due}) {
            Connection after = store.findById(c.id());
            assertThat(seed.refreshToken(after)).isEqualTo("rt." + c.connectionId() + ".2");
            assertThat(after.leaseOwner()).isNull();
        }
        assertThat(store.findById(live.id()).leaseOwner()).isEqualTo("live-node");
        assertThat(gw.bean("gatewayMetrics", GatewayMetrics.class).registry().find("gateway_sweep_connections")
                .tag("outcome", "recovered").counter().count()).isEqualTo(2.0);
    }

    @Test
    void sweep_countsProviderRejectionAsFailed_andMarksTheConnection() {
        long now = System.currentTimeMillis();
        Connection bad = seed.connection(integrationId, "revoked", now - MIN, now, now - DAY);
        sql.update("UPDATE connections SET refresh_token_enc=? WHERE id=?",
                gw.bean("tokenCipher", TokenCipher.class).encrypt("not-a-known-token", "refresh_token"), bad.id());
        seed.connection(integrationId, "good", now - MIN, now, now - DAY);

        Map<String, Object> run = sweep();

        assertThat(run).containsEntry("refreshed", 1L).containsEntry("failed", 1L);
        assertThat(store.findById(bad.id()).refreshState()).isEqualTo(Connection.REFRESH_FAILED);
        assertThat(webhooks.all()).containsExactly("refreshFailed:revoked:refresh_token_external_error");
        // failed connections are not retried by later sweeps
        sweep();
        assertThat(provider.refreshCalls.get()).isEqualTo(2);
    }

    @Test
    void sweep_countsATransientFailureAsFailed_andKeepsTheTokens() {
        long now = System.currentTimeMillis();
        Connection c = seed.connection(integrationId, "flaky", now + 10 * MIN, now, now - DAY);
        provider.failNext(503, "{}");

        Map<String, Object> run = sweep();

        assertThat(run).containsEntry("failed", 1L).containsEntry("refreshed", 0L);
        Connection after = store.findById(c.id());
        assertThat(after.refreshState()).isEqualTo(Connection.REFRESH_RETRYING);
        assertThat(after.refreshTokenEnc()).isEqualTo(c.refreshTokenEnc());
        // backing off: the next sweep skips it
        assertThat(sweep()).containsEntry("skipped", 1L).containsEntry("refreshed", 0L);
    }

    @Test
    void sweep_recordsMetricsAndTheLastRun() {
        long now = System.currentTimeMillis();
        seed.connection(integrationId, "m1", now - MIN, now, now - DAY);
        sweep();
        MeterRegistry reg = gw.bean("gatewayMetrics", GatewayMetrics.class).registry();
        assertThat(reg.get("gateway_sweep_connections").tag("outcome", "refreshed").counter().count()).isEqualTo(1.0);
        assertThat(reg.get("gateway_sweep_duration").timer().count()).isEqualTo(1);
        String last = sql.queryForObject("SELECT meta_value FROM gateway_meta WHERE meta_key=?", String.class,
                RefreshSweep.LAST_RUN_KEY);
        assertThat(Json.read(last).get("node").asText()).isEqualTo(gw.bean("refreshService", RefreshService.class).nodeId());
    }

    @Test
    void refreshConnectionRoute_acceptsARowId_andAnswersTheRefreshedRow() {
        long now = System.currentTimeMillis();
        Connection c = seed.connection(integrationId, "by-id", now - MIN, now, now - DAY);
        Connection after = template.requestBody("direct:refresh-connection", c.id(), Connection.class);
        assertThat(seed.refreshToken(after)).isEqualTo("rt.by-id.2");
    }

    @Test
    void refreshConnectionRoute_leavesAFreshTokenAlone_unlessForced() {
        long now = System.currentTimeMillis();
        Connection c = seed.connection(integrationId, "fresh", now + 50 * MIN, now, now - DAY);
        template.requestBody("direct:refresh-connection", c);
        assertThat(provider.calls("fresh")).isZero();
        template.send("direct:refresh-connection", ex -> {
            ex.getMessage().setBody(c);
            ex.setProperty(RefreshConnection.FORCE, true);
        });
        assertThat(provider.calls("fresh")).isEqualTo(1);
    }

    @Test
    void refreshConnectionRoute_propagatesRefreshFailedToTheCaller() {
        long now = System.currentTimeMillis();
        Connection c = seed.connection(integrationId, "gone", now - MIN, now, now - DAY);
        provider.failNext(403, "{\"error\":\"unauthorized_client\"}");
        assertThatThrownBy(() -> template.requestBody("direct:refresh-connection", c.id()))
                .isInstanceOf(CamelExecutionException.class)
                .cause().isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo("refresh_failed"));
    }

    @Test
    void refreshConnectionRoute_withUnknownRowId_is404() {
        assertThatThrownBy(() -> template.requestBody("direct:refresh-connection", 987654L))
                .cause().isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.status()).isEqualTo(404));
    }
}
