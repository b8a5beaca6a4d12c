package io.agcgateway.connections;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.Gateway;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.support.FakeTokenEndpoint;
import io.agcgateway.support.Http;
import io.agcgateway.support.Seed;
import io.agcgateway.support.TestGateway;
import org.apache.camel.api.management.ManagedCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * GET /connections/{id} (getConnection/getToken) over real HTTP: a due token is refreshed through
 * direct:refresh-connection; when the refresh fails Nango answers {@code invalid_credentials} with
 * {@code payload.connection}, 400 for a failed refresh and 424 while backing off.
 */
class GetConnectionRefreshErrorsTest {
    private static FakeTokenEndpoint provider;
    private static Gateway gw;
    private static Seed seed;
    private static long integrationId;
    private static Http http;
    private String id;

    @BeforeAll
    static void boot() throws Exception {
        provider = new FakeTokenEndpoint(600_000);
        gw = Gateway.start(TestGateway.with(TestGateway.settings(TestGateway.Store.H2), "gateway.sandbox", "false",
                "gateway.providers", provider.catalogFile().toString(), "gateway.oauth.token-timeout", "1s"));
        gw.context().getRouteController().stopRoute("token-refresh");
        seed = new Seed(gw.dataSource(), gw.bean("tokenCipher", TokenCipher.class));
        integrationId = seed.integration("fake", FakeTokenEndpoint.PROVIDER);
        http = new Http(gw.baseUrl(), gw.secretKey());
    }

    @AfterAll
    static void stop() {
        gw.close();
        provider.close();
    }

    @BeforeEach
    void expiredConnection(TestInfo info) {
        id = info.getTestMethod().orElseThrow().getName();
        long now = System.currentTimeMillis();
        seed.connection(integrationId, id, now - 1000, now, now);
    }

    private Http.Res get(String extra) {
        return http.get("/connections/" + id + "?provider_config_key=fake" + extra);
    }

    private long refreshRouteExchanges() {
        return gw.context().getCamelContextExtension().getContextPlugin(ManagedCamelContext.class)
                .getManagedRoute("refresh-connection").getExchangesTotal();
    }

    @Test
    void expiredToken_isRefreshedThroughTheRefreshRoute_aFreshOneIsServedWithoutIt() {
        long before = refreshRouteExchanges();
        Http.Res refreshed = get("");
        assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);
        assertThat(refreshRouteExchanges() - before).as("a due token goes through direct:refresh-connection").isEqualTo(1);

        Http.Res fresh = get("");
        assertThat(fresh.status()).isEqualTo(200);
        assertThat(refreshed.json().at("/credentials/access_token").asText()).isEqualTo("at." + id + ".2");
        assertThat(fresh.json().at("/credentials/access_token").asText()).isEqualTo("at." + id + ".2");
        assertThat(refreshRouteExchanges() - before).as("a fresh token is served without the route").isEqualTo(1);
    }

    private void assertInvalidCredentials(Http.Res r, int status, String message) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        JsonNode error = r.json().path("error");
        assertThat(error.path("code").asText()).isEqualTo("invalid_credentials");
        assertThat(error.path("message").asText()).isEqualTo(message);
        JsonNode connection = error.path("payload").path("connection");
        assertThat(connection.path("connection_id").asText()).isEqualTo(id);
        assertThat(connection.path("provider_config_key").asText()).isEqualTo("fake");
        assertThat(connection.has("credentials")).as("no credentials in the payload").isFalse();
        assertThat(connection.path("errors").get(0).path("type").asText()).isEqualTo("auth");
        assertThat(r.body()).doesNotContain("rt." + id).doesNotContain("at." + id);
    }

    @Test
    void refreshRouteFailing_otherwise_answersItsJsonError_notAnEmpty500() {
        // an integration whose OAuth app lost its secret: the refresh route's bean throws 424 refresh_failed, an
        // exception its own error handler has seen first (the GET route's doCatch must still answer it)
        long bare = seed.integration("bare-" + id.hashCode(), FakeTokenEndpoint.PROVIDER);
        new org.springframework.jdbc.core.JdbcTemplate(gw.dataSource()).update("UPDATE integrations SET client_secret_enc = NULL WHERE id = ?", bare);
        long now = System.currentTimeMillis();
        seed.connection(bare, id + "-bare", now - 1000, now, now);

        Http.Res r = http.get("/connections/" + id + "-bare?provider_config_key=bare-" + id.hashCode());
        assertThat(r.status()).as(r.toString()).isEqualTo(424);
        assertThat(r.json().at("/error/code").asText()).isEqualTo("refresh_failed");
    }

    @Test
    void refreshRejectedByProvider_answers400InvalidCredentials_withTheConnection() {
        provider.failNext(400, "{\"error\":\"invalid_grant\",\"error_description\":\"refresh token revoked\"}");

        assertInvalidCredentials(get(""), 400,
                "The external API returned an error when trying to refresh the access token. Please try again later.");
    }

    @Test
    void refreshRejectedEarlier_stillAnswers400_withoutSpendingTheTokenAgain() {
        provider.failNext(400, "{\"error\":\"invalid_grant\"}");
        get("");
        int calls = provider.calls(id);

        assertInvalidCredentials(get(""), 400,
                "The external API returned an error when trying to refresh the access token. Please try again later.");
        assertThat(provider.calls(id)).as("a rejected rotating refresh token is not presented again").isEqualTo(calls);
    }

    @Test
    void tokenEndpointDown_answers400_thenWhileBackingOff424() {
        provider.failNext(503, "{}");
        assertInvalidCredentials(get(""), 400,
                "The external API returned an error when trying to refresh the access token. Please try again later.");

        assertInvalidCredentials(get(""), 424, "A recent refresh attempt failed. Backing off before retrying.");
    }

    @Test
    void forceRefresh_afterRejection_asksTheProviderAgain() {
        provider.failNext(400, "{\"error\":\"invalid_grant\"}");
        get("");

        Http.Res forced = get("&force_refresh=true");

        assertThat(forced.status()).as(forced.toString()).isEqualTo(200);
        assertThat(forced.json().path("credentials").path("access_token").asText()).isEqualTo("at." + id + ".2");
    }
}
