package io.agcgateway.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.Gateway;
import io.agcgateway.logs.OperationLog;
import io.agcgateway.support.FlowDriver;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Issue 12: a NUL in a path parameter reached PostgreSQL, which refuses it: a 500 for the caller and, in an operation row,
 * the loss of the whole log batch around it. On PostgreSQL, every such input is a 4xx and the log keeps every good row.
 */
class ControlCharInputPostgresTest {
    private static final String PROXY_PATH = "/proxy/ex/jira/%7BconnectionConfig.cloudId%7D/rest/api/3/myself";

    private static Gateway gw;
    private static Http http;
    private static Http browser;
    private static JdbcTemplate db;
    private static String connectionId;

    @BeforeAll
    static void boot() {
        gw = TestGateway.start(TestGateway.Store.POSTGRES);
        FlowDriver flow = new FlowDriver(gw.baseUrl(), gw.secretKey());
        http = flow.http;
        browser = flow.browser;
        db = new JdbcTemplate(gw.dataSource());
        assertThat(flow.run("agc-sandbox", flow.session("ctl-user"), "acme").status()).isEqualTo(200);
        connectionId = flow.onlyConnection("ctl-user").path("connection_id").asText();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    private static void assertJson400(Http.Res r, String code) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(r.json().at("/error/code").asText()).as(r.toString()).isEqualTo(code);
        assertThat(r.json().at("/error/message").asText()).contains("control character");
    }

    private static void assertHtml400(Http.Res r, String code) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.header("Content-Type")).startsWith("text/html");
        assertThat(r.body()).contains(code).contains("nango_oauth_callback_error");
    }

    @Test
    void oauthConnect_withNulInTheIntegration_isTheHtmlErrorPage_withOrWithoutSession() {
        assertHtml400(browser.get("/oauth/connect/x%00y"), "invalid_uri_params");
        assertHtml400(browser.get("/oauth/connect/agc%01sandbox?connect_session_token=nango_connect_session_" + "0".repeat(64)),
                "invalid_uri_params");
        assertHtml400(browser.get("/oauth/connect/agc-sandbox?connect_session_token=x&params%5Bsubdomain%5D=ac%00me"),
                "invalid_query_params");
    }

    @Test
    void oauthCallback_withControlInItsQuery_isTheHtmlErrorPage() {
        assertHtml400(browser.get("/oauth/callback?state=abc&error=access_denied&error_description=no%00pe"), "invalid_query_params");
    }

    @Test
    void connectionsByIdWithNul_areA400_everyMethod_neverA500() {
        String q = "?provider_config_key=agc-sandbox";
        assertJson400(http.get("/connections/x%00y" + q), "invalid_uri_params");
        assertJson400(http.get("/connection/x%00y" + q), "invalid_uri_params");
        assertJson400(http.delete("/connections/x%00y" + q), "invalid_uri_params");
        assertJson400(http.patch("/connections/x%1by" + q, "{\"tags\":{\"a\":\"b\"}}"), "invalid_uri_params");
        assertJson400(http.get("/connections/" + connectionId + "?provider_config_key=agc%00sandbox"), "invalid_query_params");
        assertJson400(http.get("/connections?connectionId=x%00y"), "invalid_query_params");
        assertJson400(http.get("/connections?endUserId=%7F"), "invalid_query_params");
    }

    @Test
    void integrationsLogsAndProvidersWithNul_areA400() {
        assertJson400(http.get("/integrations/x%00y"), "invalid_uri_params");
        assertJson400(http.patch("/integrations/x%00y", "{\"display_name\":\"n\"}"), "invalid_uri_params");
        assertJson400(http.delete("/integrations/x%00y"), "invalid_uri_params");
        assertJson400(http.get("/providers/x%00y"), "invalid_uri_params");
        assertJson400(http.get("/logs/1%00"), "invalid_uri_params");
        assertJson400(http.get("/logs?connection=x%00y"), "invalid_query_params");
        assertJson400(http.get("/logs?integration=%0a"), "invalid_query_params");
    }

    @Test
    void bodyIdsAndKeysWithNul_areInvalidBody_neverA500() {
        assertJson400(http.post("/connect/sessions/reconnect", "{\"connection_id\":\"x\\u0000y\",\"integration_id\":\"agc-sandbox\","
                + "\"end_user\":{\"id\":\"u\"}}"), "invalid_body");
        assertJson400(http.post("/connect/sessions/reconnect", "{\"connection_id\":\"" + connectionId + "\",\"integration_id\":"
                + "\"agc\\u0000sandbox\",\"end_user\":{\"id\":\"u\"}}"), "invalid_body");
        assertJson400(http.post("/connect/sessions", "{\"end_user\":{\"id\":\"u\"},\"allowed_integrations\":[\"agc\\u0000\"]}"),
                "invalid_body");
        assertJson400(http.post("/connect/sessions", "{\"end_user\":{\"id\":\"u\"},\"integrations_config_defaults\":{\"a\\u0000\":{}}}"),
                "invalid_body");
        assertJson400(http.post("/connections", "{\"provider_config_key\":\"agc-sandbox\",\"connection_id\":\"x\\u0000y\","
                + "\"credentials\":{\"type\":\"OAUTH2\",\"access_token\":\"at\"}}"), "invalid_body");
        assertJson400(http.post("/connections/metadata", "{\"provider_config_key\":\"agc-sandbox\",\"connection_id\":[\"x\\u0000y\"],"
                + "\"metadata\":{}}"), "invalid_body");
        assertJson400(http.patch("/connections/" + connectionId + "?provider_config_key=agc-sandbox",
                "{\"webhook_url_override\":\"https://a\\u0000b\"}"), "invalid_body");
        assertJson400(http.post("/integrations", "{\"provider\":\"atlassian-government-cloud\",\"unique_key\":\"ctl\",\"credentials\":"
                + "{\"type\":\"OAUTH2\",\"client_id\":\"a\\u0000\",\"client_secret\":\"b\"}}"), "invalid_body");
        assertThat(db.queryForObject("SELECT COUNT(*) FROM integrations WHERE unique_key = 'ctl'", Integer.class)).isZero();
    }

    @Test
    void displayNames_mayHoldATab_butNoOtherControl() {
        Http.Res tab = http.post("/connect/sessions", "{\"end_user\":{\"id\":\"u\",\"display_name\":\"Ann\\tLee\"}}");
        assertThat(tab.status()).as(tab.toString()).isEqualTo(201);
        assertJson400(http.post("/connect/sessions", "{\"end_user\":{\"id\":\"u\",\"display_name\":\"Ann\\u0000Lee\"}}"), "invalid_body");
    }

    @Test
    void hostileRequestsBetweenProxyCalls_loseNoOperationRow() {
        OperationLog log = gw.bean("operationLog", OperationLog.class);
        log.flush(5_000);
        long before = db.queryForObject("SELECT COALESCE(MAX(id), 0) FROM operations", Long.class);
        long droppedBefore = log.dropped();
        for (int i = 0; i < 50; i++) {
            assertHtml400(browser.get("/oauth/connect/x%00y" + i), "invalid_uri_params");
            assertJson400(http.get("/connections/x%00y?provider_config_key=agc-sandbox"), "invalid_uri_params");
            assertJson400(http.get("/integrations/x%00y"), "invalid_uri_params");
            Http.Res proxied = http.send("GET", PROXY_PATH, null, "Provider-Config-Key", "agc-sandbox", "Connection-Id", connectionId);
            assertThat(proxied.status()).as(proxied.toString()).isEqualTo(200);
        }
        // a proxied call's row is queued once its answer is written, a moment after the caller has read it
        long end = System.currentTimeMillis() + 10_000;
        int proxyRows;
        do {
            log.flush(1_000);
            proxyRows = db.queryForObject("SELECT COUNT(*) FROM operations WHERE op_type = 'proxy' AND id > ?", Integer.class, before);
        } while (proxyRows < 50 && System.currentTimeMillis() < end);
        assertThat(proxyRows).as("every proxied call has its row").isEqualTo(50);
        assertThat(db.queryForObject("SELECT COUNT(*) FROM operations WHERE action = 'oauth_authorize' AND status = 'failed' "
                + "AND error_code = 'invalid_uri_params' AND integration_key IS NULL AND id > ?", Integer.class, before))
                .as("each refused browser request is logged, without its input").isEqualTo(50);
        assertThat(log.dropped() - droppedBefore).isZero();
    }
}
