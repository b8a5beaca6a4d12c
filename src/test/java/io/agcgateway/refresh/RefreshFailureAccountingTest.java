package io.agcgateway.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.agcgateway.Gateway;
import io.agcgateway.connections.Connection;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.http.GatewayException;
import io.agcgateway.support.FakeTokenEndpoint;
import io.agcgateway.support.Seed;
import io.agcgateway.support.ShiftedClock;
import io.agcgateway.support.TestGateway;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** Refresh failure accounting (docs/ARCHITECTURE.md "Tokens and refresh"), against a real gateway (H2) and a token endpoint that answers what each test needs. */
class RefreshFailureAccountingTest {
    private static FakeTokenEndpoint provider;
    private static Gateway gw;
    private static Seed seed;
    private static long integrationId;
    private static RefreshService refresh;
    private static ConnectionStore store;
    private static final ShiftedClock clock = new ShiftedClock();
    private static QueuedWebhooks events;
    private String id;

    @BeforeAll
    static void boot() throws Exception {
        provider = new FakeTokenEndpoint(600_000);
        gw = Gateway.start(TestGateway.with(TestGateway.settings(TestGateway.Store.H2), "gateway.sandbox", "false",
                "gateway.providers", provider.catalogFile().toString(), "gateway.oauth.token-timeout", "1s",
                "gateway.webhook.url", "http://127.0.0.1:9/webhooks"), clock);
        gw.context().getRouteController().stopRoute("token-refresh");
        events = new QueuedWebhooks(gw);
        seed = new Seed(gw.dataSource(), gw.bean("tokenCipher", TokenCipher.class));
        integrationId = seed.integration("fake", FakeTokenEndpoint.PROVIDER);
        refresh = gw.bean("refreshService", RefreshService.class);
        store = gw.bean("connectionStore", ConnectionStore.class);
    }

    @AfterAll
    static void stop() {
        events.all(); // drain the queue of the stopped webhooks route, or shutdown waits 45 s for it
        gw.close();
        provider.close();
    }

    @BeforeEach
    void setUp(TestInfo info) {
        clock.reset();
        id = info.getTestMethod().orElseThrow().getName();
    }

    @AfterEach
    void reset() {
        provider.latency(0);
        provider.omitExpiresIn(false);
        provider.omitRefreshToken(false);
    }

    private Connection expired() {
        return seed.connection(integrationId, id, clock.millis() - 1000, clock.millis(), clock.millis());
    }

    /** Due (inside the 15-minute margin) but its access token still works for 5 minutes. */
    private Connection dueButUsable() {
        return seed.connection(integrationId, id, clock.millis() + 300_000, clock.millis(), clock.millis());
    }

    private void assertRejectedMarksFailed(int status, String error) {
        Connection c = expired();
        provider.failNext(status, "{\"error\":\"" + error + "\",\"error_description\":\"refresh token revoked\"}");

        assertThatThrownBy(() -> refresh.ensureFresh(c, false)).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.status()).isEqualTo(424);
            assertThat(e.code()).isEqualTo("refresh_failed");
        });

        Connection after = store.findById(c.id());
        assertThat(after.refreshState()).isEqualTo(Connection.REFRESH_FAILED);
        assertThat(after.errors()).contains("\"type\":\"auth\"").contains(error);
        assertThat(after.refreshTokenEnc()).isEqualTo(c.refreshTokenEnc());
        assertThat(after.leaseOwner()).isNull();
        assertThat(events.of(id)).containsExactly("refreshFailed:" + id + ":refresh_token_external_error");

        // not retried until re-authorised: the next call does not reach the provider
        assertThatThrownBy(() -> refresh.ensureFresh(after, false)).isInstanceOf(GatewayException.class);
        assertThat(provider.calls(id)).isEqualTo(1);
    }

    @Test
    void refresh_with403UnauthorizedClient_marksConnectionFailed() {
        assertRejectedMarksFailed(403, "unauthorized_client");
    }

    @Test
    void refresh_with400InvalidGrant_marksConnectionFailed() {
        assertRejectedMarksFailed(400, "invalid_grant");
    }

    @Test
    void refresh_with503_keepsTokensAndBacksOffFrom30sDoubling() {
        Connection c = dueButUsable();
        provider.failNext(503, "{}");
        long before = clock.millis();

        Connection served = refresh.ensureFresh(c, false);

        assertThat(served.accessTokenEnc()).as("the old access token is still served").isEqualTo(c.accessTokenEnc());
        Connection after = store.findById(c.id());
        assertThat(after.refreshState()).isEqualTo(Connection.REFRESH_RETRYING);
        assertThat(after.refreshTokenEnc()).isEqualTo(c.refreshTokenEnc());
        assertThat(after.refreshFailures()).isEqualTo(1);
        assertThat(after.nextRefreshAt() - before).isCloseTo(30_000L, within(2_000L));
        assertThat(events.of(id)).containsExactly("refreshFailed:" + id + ":refresh_token_external_error");

        // inside the backoff: no provider call
        refresh.ensureFresh(after, false);
        assertThat(provider.calls(id)).isEqualTo(1);

        // backoff over, fails again: 60 s, and no second webhook
        clock.advance(Duration.ofSeconds(31));
        provider.failNext(502, "{}");
        long again = clock.millis();
        refresh.ensureFresh(store.findById(c.id()), false);
        Connection twice = store.findById(c.id());
        assertThat(twice.refreshFailures()).isEqualTo(2);
        assertThat(twice.nextRefreshAt() - again).isCloseTo(60_000L, within(2_000L));
        assertThat(events.of(id)).hasSize(1);
    }

    @Test
    void refresh_withTimeout_keepsTokensAndBacksOff() {
        Connection c = dueButUsable();
        provider.latency(1_500); // the gateway's token timeout is 1 s here

        Connection served = refresh.ensureFresh(c, false);

        assertThat(served.accessTokenEnc()).isEqualTo(c.accessTokenEnc());
        Connection after = store.findById(c.id());
        assertThat(after.refreshState()).isEqualTo(Connection.REFRESH_RETRYING);
        assertThat(after.errors()).contains("timeout");
        assertThat(after.refreshTokenEnc()).isEqualTo(c.refreshTokenEnc());
    }

    @Test
    void refresh_with503AndExpiredToken_answers424ButKeepsTokens() {
        Connection c = expired();
        provider.failNext(503, "{}");
        assertThatThrownBy(() -> refresh.ensureFresh(c, false)).isInstanceOfSatisfying(GatewayException.class,
                e -> assertThat(e.status()).isEqualTo(424));
        Connection after = store.findById(c.id());
        assertThat(after.refreshState()).isEqualTo(Connection.REFRESH_RETRYING);
        assertThat(after.refreshTokenEnc()).isEqualTo(c.refreshTokenEnc());
    }

    @Test
    void refresh_afterTransientFailure_recoversAndSendsSuccessEvent() {
        Connection c = dueButUsable();
        provider.failNext(503, "{}");
        refresh.ensureFresh(c, false);
        clock.advance(Duration.ofSeconds(31));

        Connection recovered = refresh.ensureFresh(store.findById(c.id()), false);

        assertThat(recovered.refreshState()).isEqualTo(Connection.OK);
        assertThat(recovered.errors()).isNull();
        assertThat(recovered.refreshFailures()).isZero();
        assertThat(seed.refreshToken(recovered)).isEqualTo("rt." + id + ".2");
        assertThat(events.of(id)).containsExactly("refreshFailed:" + id + ":refresh_token_external_error", "refreshRecovered:" + id);
    }

    @Test
    void refresh_ofHealthyConnection_sendsNoEvent() {
        Connection c = expired();
        refresh.ensureFresh(c, false);
        assertThat(events.of(id)).isEmpty();
    }

    @Test
    void refresh_withoutRefreshTokenInAnswer_keepsTheOldOne() {
        Connection c = expired();
        provider.omitRefreshToken(true);

        Connection after = refresh.ensureFresh(c, false);

        assertThat(seed.refreshToken(after)).isEqualTo("rt." + id + ".1");
        assertThat(gw.bean("tokenCipher", TokenCipher.class).decrypt(after.accessTokenEnc(), "access_token")).isEqualTo("at." + id + ".2");
        assertThat(after.refreshTokenIssuedAt()).as("not rotated: issue time unchanged").isEqualTo(c.refreshTokenIssuedAt());
        assertThat(after.lastRefreshAt()).isNotNull();
    }

    @Test
    void refresh_withoutExpiresIn_usesTheCatalogDefault() {
        Connection c = expired();
        provider.omitExpiresIn(true);
        long before = clock.millis();

        Connection after = refresh.ensureFresh(c, false);

        // fake-agc's catalog entry says token_expires_in_default: 1800
        assertThat(after.expiresAt() - before).isCloseTo(1_800_000L, within(5_000L));
    }

    @Test
    void refresh_withExpiresIn_storesTheProviderLifetime() {
        Connection c = expired();
        long before = clock.millis();
        Connection after = refresh.ensureFresh(c, false);
        assertThat(after.expiresAt() - before).isCloseTo(3_600_000L, within(5_000L));
        assertThat(seed.refreshToken(after)).isEqualTo("rt." + id + ".2");
    }
}
