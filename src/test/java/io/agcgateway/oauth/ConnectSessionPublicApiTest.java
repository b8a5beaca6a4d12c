package io.agcgateway.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.Gateway;
import io.agcgateway.support.FlowDriver;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What Nango's Connect UI reads with a connect session token from another origin (GET/DELETE /connect/session, GET
 * /integrations, GET /providers/{p}): narrowed to the session's integrations, never credentials, CORS for these calls
 * only, and a clear JSON 401 for a bad token.
 */
class ConnectSessionPublicApiTest {
    private static final String ORIGIN = "http://app.example.gov";
    private static Gateway gw;
    private static FlowDriver flow;
    private static Http anon;

    @BeforeAll
    static void boot() {
        gw = TestGateway.start(TestGateway.Store.H2);
        flow = new FlowDriver(gw.baseUrl(), gw.secretKey());
        anon = new Http(gw.baseUrl(), null);
        Http.Res other = flow.http.post("/integrations", """
                {"unique_key":"other-jira","provider":"atlassian","credentials":{"type":"OAUTH2","client_id":"cid-other",\
                "client_secret":"other-client-secret","scopes":"read:jira-work"}}""");
        assertThat(other.status()).as(other.toString()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    private static Http.Res withSession(String method, String path, String token) {
        return anon.send(method, path, null, "Authorization", "Bearer " + token, "Origin", ORIGIN);
    }

    private static List<String> keys(Http.Res r) {
        List<String> out = new ArrayList<>();
        r.json().path("data").forEach(i -> out.add(i.path("unique_key").asText()));
        return out;
    }

    @Test
    void integrations_withSessionToken_listOnlyTheSessionsIntegrations_withoutCredentials() {
        Http.Res r = withSession("GET", "/integrations", flow.session("pub-list", "agc-sandbox"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(keys(r)).containsExactly("agc-sandbox");
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(r.body()).doesNotContain("credentials").doesNotContain("client_secret").doesNotContain("client_id");

        Http.Res all = withSession("GET", "/integrations", flow.session("pub-list-all"));
        assertThat(keys(all)).contains("agc-sandbox", "other-jira");
        assertThat(all.body()).doesNotContain("other-client-secret").doesNotContain("cid-other");
    }

    @Test
    void provider_withSessionToken_onlyOneOfTheSessionsIntegrations() {
        String token = flow.session("pub-provider", "agc-sandbox");
        Http.Res own = withSession("GET", "/providers/atlassian-government-cloud-sandbox", token);
        assertThat(own.status()).as(own.toString()).isEqualTo(200);
        assertThat(own.json().path("data").path("name").asText()).isEqualTo("atlassian-government-cloud-sandbox");
        assertThat(own.header("Access-Control-Allow-Origin")).isEqualTo("*");

        Http.Res foreign = withSession("GET", "/providers/atlassian", token);
        assertThat(foreign.status()).as(foreign.toString()).isEqualTo(404);
        assertThat(foreign.json().at("/error/code").asText()).isEqualTo("not_found");
        assertThat(withSession("GET", "/providers/atlassian", flow.session("pub-provider-all")).status()).isEqualTo(200);
    }

    @Test
    void sessionToken_opensNoSecretKeyCall() {
        String token = flow.session("pub-no-key", "agc-sandbox");
        for (String[] call : new String[][] {{"GET", "/integrations/agc-sandbox?include=credentials"}, {"GET", "/providers"},
                {"GET", "/connections"}, {"DELETE", "/integrations/agc-sandbox"}, {"GET", "/logs"}}) {
            Http.Res r = withSession(call[0], call[1], token);
            assertThat(r.status()).as(call[0] + " " + call[1] + ": " + r).isEqualTo(401);
            assertThat(r.json().at("/error/code").asText()).isEqualTo("invalid_secret_key_format");
            assertThat(r.header("Access-Control-Allow-Origin")).as(call[1]).isNull();
        }
        Http.Res post = anon.send("POST", "/integrations", "{\"unique_key\":\"x\",\"provider\":\"atlassian\"}",
                "Authorization", "Bearer " + token, "Content-Type", "application/json");
        assertThat(post.status()).as(post.toString()).isEqualTo(401);
        assertThat(flow.http.get("/integrations/x").status()).isEqualTo(404);
    }

    @Test
    void secretKeyAnswers_carryNoCorsHeader() {
        for (Http.Res r : List.of(flow.http.get("/integrations", "Origin", ORIGIN),
                flow.http.get("/providers/atlassian", "Origin", ORIGIN), flow.http.get("/connections", "Origin", ORIGIN))) {
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.header("Access-Control-Allow-Origin")).isNull();
        }
    }

    @Test
    void preflight_ofTheSessionCalls_is204WithCors() {
        for (String[] p : new String[][] {{"/connect/session", "GET, DELETE"}, {"/integrations", "GET"},
                {"/providers/atlassian-government-cloud-sandbox", "GET"}}) {
            Http.Res r = anon.send("OPTIONS", p[0], null, "Origin", ORIGIN, "Access-Control-Request-Method", "GET",
                    "Access-Control-Request-Headers", "authorization,content-type", "Authorization", null);
            assertThat(r.status()).as(p[0] + ": " + r).isEqualTo(204);
            assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("*");
            assertThat(r.header("Access-Control-Allow-Methods")).isEqualTo(p[1]);
            assertThat(r.header("Access-Control-Allow-Headers")).isEqualTo("authorization,content-type");
            assertThat(r.header("Access-Control-Max-Age")).isEqualTo("600");
            assertThat(r.body()).isEmpty();
        }
    }

    @Test
    void preflight_ofSecretKeyCalls_getsNoCors() {
        for (String path : List.of("/connections", "/connect/sessions", "/logs", "/proxy/rest/api/3/myself")) {
            Http.Res r = anon.send("OPTIONS", path, null, "Origin", ORIGIN, "Access-Control-Request-Method", "GET",
                    "Access-Control-Request-Headers", "authorization", "Authorization", null);
            assertThat(r.header("Access-Control-Allow-Origin")).as(path + ": " + r.status()).isNull();
        }
    }

    @Test
    void badSessionTokens_are401Json_readableByThePage() {
        String expired = flow.session("pub-expired");
        new JdbcTemplate(gw.dataSource())
                .update("UPDATE connect_sessions SET expires_at = 1 WHERE token_hash = ?", Secrets.sha256Hex(expired));
        String[][] cases = {{"nango_connect_session_nothex", "invalid_connect_session_token_format"},
                {"nango_connect_session_" + "ab".repeat(32), "unknown_connect_session_token"},
                {expired, "unknown_connect_session_token"}};
        for (String path : List.of("/connect/session", "/integrations", "/providers/atlassian-government-cloud-sandbox")) {
            for (String[] c : cases) {
                Http.Res r = withSession("GET", path, c[0]);
                assertThat(r.status()).as(path + " " + c[1]).isEqualTo(401);
                assertThat(r.header("Content-Type")).startsWith("application/json");
                assertThat(r.json().at("/error/code").asText()).as(path).isEqualTo(c[1]);
                assertThat(r.json().at("/error/message").asText()).isNotBlank();
                assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("*");
            }
        }
    }

    @Test
    void deleteSession_is204WithCors_andEndsIt() {
        String token = flow.session("pub-delete");
        Http.Res del = withSession("DELETE", "/connect/session", token);
        assertThat(del.status()).as(del.toString()).isEqualTo(204);
        assertThat(del.header("Access-Control-Allow-Origin")).isEqualTo("*");
        JsonNode after = withSession("GET", "/integrations", token).json();
        assertThat(after.at("/error/code").asText()).isEqualTo("unknown_connect_session_token");
    }
}
