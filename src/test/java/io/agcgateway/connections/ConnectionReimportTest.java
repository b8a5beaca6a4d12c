package io.agcgateway.connections;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.Gateway;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.oauth.WebhookSink;
import io.agcgateway.support.FakeTokenEndpoint;
import io.agcgateway.support.Http;
import io.agcgateway.support.Seed;
import io.agcgateway.support.TestGateway;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.springframework.jdbc.core.JdbcTemplate;

/** POST /connections on an existing connection upserts like Nango (operation override), over real HTTP. */
class ConnectionReimportTest {
    private static FakeTokenEndpoint provider;
    private static WebhookSink sink;
    private static Gateway gw;
    private static Seed seed;
    private static long integrationId;
    private static Http http;
    private static JdbcTemplate db;
    private String id;

    @BeforeAll
    static void boot() throws Exception {
        provider = new FakeTokenEndpoint(600_000);
        sink = new WebhookSink();
        gw = Gateway.start(TestGateway.with(TestGateway.settings(TestGateway.Store.H2), "gateway.sandbox", "false",
                "gateway.providers", provider.catalogFile().toString(), "gateway.oauth.token-timeout", "5s",
                "gateway.webhook.url", sink.url(), "gateway.refresh.lease", "3s"));
        gw.context().getRouteController().stopRoute("token-refresh");
        seed = new Seed(gw.dataSource(), gw.bean("tokenCipher", TokenCipher.class));
        integrationId = seed.integration("fake", FakeTokenEndpoint.PROVIDER);
        http = new Http(gw.baseUrl(), gw.secretKey());
        db = new JdbcTemplate(gw.dataSource());
    }

    @AfterAll
    static void stop() {
        gw.close();
        sink.close();
        provider.close();
    }

    @BeforeEach
    void name(TestInfo info) {
        id = info.getTestMethod().orElseThrow().getName();
    }

    @AfterEach
    void reset() {
        provider.latency(0);
    }

    private static String body(String connectionId, String accessToken, String extra) {
        return "{\"provider_config_key\":\"fake\",\"connection_id\":\"" + connectionId + "\",\"credentials\":{\"type\":\"OAUTH2\","
                + "\"access_token\":\"" + accessToken + "\",\"refresh_token\":\"rt." + connectionId + ".7\","
                + "\"expires_at\":\"2099-01-01T00:00:00Z\"}" + extra + "}";
    }

    private JsonNode get() {
        Http.Res r = http.get("/connections/" + id + "?provider_config_key=fake&refresh_token=true");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    @Test
    void reimport_answers201_keepsIdMetadataAndTags_andReplacesTheCredentials() {
        Http.Res first = http.post("/connections", body(id, "at-old", ",\"metadata\":{\"m\":1},\"tags\":{\"team\":\"blue\"},"
                + "\"connection_config\":{\"cloudId\":\"c1\"}"));
        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        db.update("UPDATE connections SET refresh_state='refresh_failed', errors='[{\"type\":\"auth\"}]' WHERE connection_id=?", id);

        Http.Res again = http.post("/connections", body(id, "at-new", ""));

        assertThat(again.status()).as(again.toString()).isEqualTo(201);
        JsonNode c = get();
        assertThat(c.path("id").asLong()).isEqualTo(first.json().path("id").asLong());
        assertThat(c.path("metadata").toString()).isEqualTo("{\"m\":1}");
        assertThat(c.path("tags").path("team").asText()).isEqualTo("blue");
        assertThat(c.path("connection_config").path("cloudId").asText()).isEqualTo("c1");
        assertThat(c.path("credentials").path("access_token").asText()).isEqualTo("at-new");
        assertThat(c.path("errors")).as("the caller vouches for the new credentials").isEmpty();
        assertThat(again.json().path("credentials").path("access_token").asText()).isEqualTo("at-new");
        assertThat(db.queryForObject("SELECT COUNT(*) FROM connections WHERE connection_id=?", Integer.class, id)).isEqualTo(1);
    }

    @Test
    void reimport_givenMetadataAndTags_replacesThem() {
        http.post("/connections", body(id, "at-old", ",\"metadata\":{\"m\":1},\"tags\":{\"team\":\"blue\"}"));

        http.post("/connections", body(id, "at-new", ",\"metadata\":{\"m\":2},\"tags\":{\"team\":\"red\"}"));

        JsonNode c = get();
        assertThat(c.path("metadata").toString()).isEqualTo("{\"m\":2}");
        assertThat(c.path("tags").path("team").asText()).isEqualTo("red");
    }

    @Test
    void importWithEndUser_fillsTags_andPatchingTheEndUserRefillsThem() {
        http.post("/connections", body(id, "at", ",\"end_user\":{\"id\":\"u1\",\"email\":\"u1@example.gov\","
                + "\"organization\":{\"id\":\"o1\"}},\"tags\":{\"team\":\"blue\"}"));
        JsonNode tags = get().path("tags");
        assertThat(tags.path("end_user_id").asText()).isEqualTo("u1");
        assertThat(tags.path("end_user_email").asText()).isEqualTo("u1@example.gov");
        assertThat(tags.path("organization_id").asText()).isEqualTo("o1");
        assertThat(tags.path("team").asText()).isEqualTo("blue");

        Http.Res patched = http.patch("/connections/" + id + "?provider_config_key=fake", "{\"end_user\":{\"id\":\"u2\","
                + "\"email\":\"u2@example.gov\"},\"tags\":{\"team\":\"red\"}}");

        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        JsonNode after = get().path("tags");
        assertThat(after.path("end_user_email").asText()).isEqualTo("u2@example.gov");
        assertThat(after.path("team").asText()).isEqualTo("red");
        assertThat(http.get("/connections?tags%5Bend_user_email%5D=u2%40example.gov").json().path("connections")).hasSize(1);
    }

    @Test
    void importThenReimport_sendCreationThenOverrideWebhooks() throws Exception {
        http.post("/connections", body(id, "at-old", ""));
        http.post("/connections", body(id, "at-new", ""));

        assertThat(sink.awaitMatch(w -> w.body().contains("\"connectionId\":\"" + id + "\"")
                && w.body().contains("\"operation\":\"creation\"") && w.body().contains("\"success\":true"))).isTrue();
        assertThat(sink.awaitMatch(w -> w.body().contains("\"connectionId\":\"" + id + "\"")
                && w.body().contains("\"operation\":\"override\"") && w.body().contains("\"success\":true"))).isTrue();
    }

    @Test
    void reimport_duringARefresh_waitsForIt_andTheImportedPairWins() throws Exception {
        long now = System.currentTimeMillis();
        seed.connection(integrationId, id, now - 1000, now, now);
        provider.latency(1500);
        CompletableFuture<Http.Res> refreshing = CompletableFuture.supplyAsync(() -> http.get("/connections/" + id
                + "?provider_config_key=fake"));
        long deadline = System.currentTimeMillis() + 5000;
        while (db.queryForObject("SELECT COUNT(*) FROM connections WHERE connection_id=? AND lease_owner IS NOT NULL", Integer.class, id) == 0
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }

        long started = System.currentTimeMillis();
        Http.Res imported = http.post("/connections", body(id, "at-imported", ""));

        assertThat(imported.status()).as(imported.toString()).isEqualTo(201);
        assertThat(System.currentTimeMillis() - started).as("waited for the refresh in flight (1.5 s token call)").isGreaterThan(1000);
        assertThat(refreshing.get().status()).isEqualTo(200);
        assertThat(refreshing.get().json().path("credentials").path("access_token").asText()).isEqualTo("at." + id + ".2");
        JsonNode c = get();
        assertThat(c.path("credentials").path("access_token").asText()).as("the refresh did not overwrite the import").isEqualTo("at-imported");
        assertThat(c.path("credentials").path("refresh_token").asText()).isEqualTo("rt." + id + ".7");
        assertThat(provider.calls(id)).isEqualTo(1);
    }

    @Test
    void reimport_whileAnotherNodeHoldsTheLease_waitsUntilItIsFree() {
        http.post("/connections", body(id, "at-old", ""));
        long until = System.currentTimeMillis() + 1500;
        db.update("UPDATE connections SET lease_owner='other-node', lease_until=? WHERE connection_id=?", until, id);

        Http.Res again = http.post("/connections", body(id, "at-new", ""));

        assertThat(again.status()).as(again.toString()).isEqualTo(201);
        assertThat(System.currentTimeMillis()).isGreaterThanOrEqualTo(until);
        assertThat(get().path("credentials").path("access_token").asText()).isEqualTo("at-new");
    }
}
