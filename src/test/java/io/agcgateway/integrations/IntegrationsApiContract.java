package io.agcgateway.integrations;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.Gateway;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;

/** The integrations API over real HTTP against the real app; run on H2 and on PostgreSQL by the subclasses. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class IntegrationsApiContract {
    private static final String CREATE = """
            {"unique_key":"agc-jira","provider":"atlassian-government-cloud","display_name":"Jira (AGC)",
             "credentials":{"type":"OAUTH2","client_id":"client-123","client_secret":"s3cr3t-value-xyz","scopes":"read:jira-work,offline_access"}}""";

    Map<String, String> settings;
    Gateway gw;
    Http http;
    JdbcTemplate jdbc;

    abstract TestGateway.Store store();

    @BeforeAll
    void boot() {
        settings = TestGateway.settings(store());
        gw = Gateway.start(settings);
        http = new Http(gw.baseUrl(), gw.secretKey());
        jdbc = new JdbcTemplate(gw.dataSource());
    }

    @AfterAll
    void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    @BeforeEach
    void clean() {
        jdbc.update("DELETE FROM integrations WHERE unique_key <> 'agc-sandbox'");
    }

    private int integrationRows() {
        return jdbc.queryForObject("SELECT COUNT(*) FROM integrations", Integer.class);
    }

    @Test
    void create_thenGetListUpdateDelete_roundTrips() {
        Http.Res created = http.post("/integrations", CREATE);
        assertThat(created.status()).isEqualTo(200);
        JsonNode data = created.json().get("data");
        assertThat(data.get("unique_key").asText()).isEqualTo("agc-jira");
        assertThat(data.get("provider").asText()).isEqualTo("atlassian-government-cloud");
        assertThat(data.get("display_name").asText()).isEqualTo("Jira (AGC)");
        assertThat(data.has("credentials")).isFalse();
        assertThat(data.get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");

        JsonNode withCreds = http.get("/integrations/agc-jira?include=credentials").json().get("data").get("credentials");
        assertThat(withCreds.get("client_id").asText()).isEqualTo("client-123");
        assertThat(withCreds.get("client_secret").asText()).isEqualTo("s3cr3t-value-xyz");
        assertThat(withCreds.get("scopes").asText()).isEqualTo("read:jira-work,offline_access");
        assertThat(http.get("/integrations/agc-jira?include=credentials").header("Cache-Control")).as("secrets are never cached").isEqualTo("no-store");

        JsonNode list = http.get("/integrations").json().get("data");
        assertThat(list.findValuesAsText("unique_key")).contains("agc-jira");

        Http.Res updated = http.patch("/integrations/agc-jira", """
                {"display_name":"Jira","credentials":{"scopes":"read:jira-work write:jira-work"}}""");
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json().get("data").get("display_name").asText()).isEqualTo("Jira");
        JsonNode after = http.get("/integrations/agc-jira?include=credentials").json().get("data").get("credentials");
        assertThat(after.get("scopes").asText()).isEqualTo("read:jira-work,write:jira-work");
        assertThat(after.get("client_secret").asText()).as("secret kept when not sent").isEqualTo("s3cr3t-value-xyz");

        Http.Res renamed = http.patch("/integrations/agc-jira", "{\"unique_key\":\"agc-jira-2\"}");
        assertThat(renamed.json().get("data").get("unique_key").asText()).isEqualTo("agc-jira-2");
        assertThat(http.get("/integrations/agc-jira").status()).isEqualTo(404);

        Http.Res deleted = http.delete("/integrations/agc-jira-2");
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("success").asBoolean()).isTrue();
        assertThat(http.get("/integrations/agc-jira-2").status()).isEqualTo(404);
    }

    @Test
    void clientSecret_isEncryptedInTheRawRow() {
        http.post("/integrations", CREATE);
        String stored = jdbc.queryForObject("SELECT client_secret_enc FROM integrations WHERE unique_key='agc-jira'", String.class);
        assertThat(stored).startsWith("v1:").doesNotContain("s3cr3t");
    }

    @Test
    void duplicateUniqueKey_is400InvalidBody_andKeepsTheFirst() {
        http.post("/integrations", CREATE);
        Http.Res dup = http.post("/integrations", CREATE.replace("client-123", "other-client"));
        // Nango: 400 invalid_body (issue 15 item 9); the message names the key
        assertThat(dup.status()).isEqualTo(400);
        assertThat(dup.json().at("/error/code").asText()).isEqualTo("invalid_body");
        assertThat(dup.json().at("/error/message").asText()).contains("already exists");
        assertThat(http.get("/integrations/agc-jira?include=credentials").json().at("/data/credentials/client_id").asText()).isEqualTo("client-123");
    }

    @Test
    void unknownProvider_is400_andStoresNothing() {
        int before = integrationRows();
        Http.Res r = http.post("/integrations", CREATE.replace("atlassian-government-cloud", "gitlab"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().at("/error/code").asText()).isEqualTo("invalid_body");
        assertThat(r.json().at("/error/message").asText()).contains("not in the catalog");
        assertThat(integrationRows()).isEqualTo(before);
    }

    @Test
    void unknownKey_is404_forGetPatchDelete() {
        for (Http.Res r : List.of(http.get("/integrations/nope"), http.patch("/integrations/nope", "{}"), http.delete("/integrations/nope"))) {
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.json().at("/error/code").asText()).isEqualTo("not_found");
        }
    }

    @Test
    void badBodies_are4xxJson_andStoreNothing() {
        int before = integrationRows();
        Map<String, Integer> cases = Map.of(
                "{not json", 400,
                "[]", 400,
                "{\"unique_key\":\"x\"}", 400,
                "{\"unique_key\":\"x\",\"provider\":\"atlassian\",\"extra\":1}", 400,
                "{\"unique_key\":\"x\",\"provider\":\"atlassian\",\"credentials\":{\"client_id\":\"a\"}}", 400,
                "{\"unique_key\":\"x\",\"provider\":\"atlassian\",\"credentials\":{\"type\":\"API_KEY\",\"client_id\":\"a\",\"client_secret\":\"b\"}}", 400,
                "{\"unique_key\":\"x'; DROP TABLE integrations;--\",\"provider\":\"atlassian\"}", 400,
                "{\"unique_key\":\"x\",\"provider\":\"atlassian\",\"credentials\":{\"client_id\":\"a\",\"client_secret\":\"b\",\"scopes\":\"read:x <script>\"}}", 400,
                "{\"unique_key\":123,\"provider\":\"atlassian\"}", 400);
        cases.forEach((body, status) -> {
            Http.Res r = http.post("/integrations", body);
            assertThat(r.status()).as(body).isEqualTo(status);
            assertThat(r.header("Content-Type")).startsWith("application/json");
            assertThat(r.json().at("/error/code").asText()).as(body).isNotEmpty();
        });
        assertThat(integrationRows()).isEqualTo(before);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM integrations", Integer.class)).isNotNull();
    }

    @Test
    void wrongContentType_is415() {
        Http.Res r = http.send("POST", "/integrations", CREATE, "Content-Type", "text/plain");
        assertThat(r.status()).isEqualTo(415);
        assertThat(r.json().at("/error/code").asText()).isEqualTo("unsupported_media_type");
        Http.Res form = http.send("POST", "/integrations", "unique_key=x&provider=atlassian", "Content-Type", "application/x-www-form-urlencoded");
        assertThat(form.status()).isEqualTo(415);
    }

    @Test
    void oversizeBody_is413() {
        String huge = "{\"unique_key\":\"x\",\"provider\":\"atlassian\",\"display_name\":\"" + "a".repeat(2_000_000) + "\"}";
        Http.Res r = http.post("/integrations", huge);
        assertThat(r.status()).isEqualTo(413);
        assertThat(http.get("/integrations/x").status()).isEqualTo(404);
    }

    @Test
    void sqlMetacharactersInPathKey_areJustNotFound() {
        Http.Res r = http.get("/integrations/x'%20OR%20'1'='1");
        assertThat(r.status()).isEqualTo(404);
        http.post("/integrations", CREATE);
        assertThat(http.delete("/integrations/agc-jira'%20OR%20'1'='1").status()).isEqualTo(404);
        assertThat(http.get("/integrations/agc-jira").status()).isEqualTo(200);
    }

    @Test
    void auth_missingMalformedWrongKey_are401WithNangoCodes() {
        assertThat(http.send("GET", "/integrations", null, "Authorization", null).json().at("/error/code").asText()).isEqualTo("missing_auth_header");
        assertThat(http.send("GET", "/integrations", null, "Authorization", "Basic abc").json().at("/error/code").asText()).isEqualTo("malformed_auth_header");
        assertThat(http.send("GET", "/integrations", null, "Authorization", "Bearer not-a-uuid").json().at("/error/code").asText()).isEqualTo("invalid_secret_key_format");
        Http.Res wrong = http.send("POST", "/integrations", CREATE, "Authorization", "Bearer 2f1c1d4e-3b7a-4c6d-9e8f-0a1b2c3d4e5f", "Content-Type", "application/json");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.json().at("/error/code").asText()).isEqualTo("unknown_account");
        assertThat(http.get("/integrations/agc-jira").status()).as("rejected create stored nothing").isEqualTo(404);
    }

    @Test
    void providers_listsCatalogWithAgcFirst_andCallbackUrl() {
        JsonNode data = http.get("/providers").json().get("data");
        assertThat(data.get(0).get("name").asText()).startsWith("atlassian-government-cloud");
        assertThat(data.findValuesAsText("name")).contains("atlassian", "atlassian-government-cloud");
        JsonNode agc = http.get("/providers/atlassian-government-cloud").json().get("data");
        assertThat(agc.get("callback_url").asText()).isEqualTo(settings.get("gateway.public-url") + "/oauth/callback");
        assertThat(http.get("/providers/nope").status()).isEqualTo(404);
    }

    @Test
    void errorResponses_echoNoRequestHeaders() {
        Http.Res r = http.send("GET", "/integrations/nope", null, "X-Probe", "echo-me");
        assertThat(r.header("X-Probe")).isNull();
        assertThat(r.header("uniqueKey")).isNull();
    }

    @Test
    void restart_keepsEveryRow() {
        http.post("/integrations", CREATE);
        String key = gw.secretKey();
        gw.close();
        gw = Gateway.start(settings);
        http = new Http(gw.baseUrl(), gw.secretKey());
        jdbc = new JdbcTemplate(gw.dataSource());
        assertThat(gw.secretKey()).isEqualTo(key);
        assertThat(http.get("/integrations/agc-jira?include=credentials").json().at("/data/credentials/client_secret").asText())
                .isEqualTo("s3cr3t-value-xyz");
    }
}
