package io.agcgateway.oauth;

import io.agcgateway.support.FlowDriver;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.Gateway;
import io.agcgateway.logs.OperationLog;
import io.agcgateway.sandbox.SandboxAgc;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;

/** The whole connect flow against the sandbox AGC over real HTTP; run on H2 and PostgreSQL by the subclasses. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OAuthFlowContract {
    static final String ACME = "4f8e2d1c-6b5a-4c3d-8e9f-1a2b3c4d5e6f";
    static final String ACME_TEST = "7d3c9a5e-2b1f-4e8a-9c6d-0a1b2c3d4e5f";

    Gateway gw;
    FlowDriver flow;
    WebhookSink sink;
    JdbcTemplate db;
    int users;

    abstract TestGateway.Store store();

    @BeforeAll
    void boot() throws Exception {
        sink = new WebhookSink();
        gw = Gateway.start(TestGateway.with(TestGateway.settings(store()), "gateway.webhook.url", sink.url(),
                "gateway.webhook.secret", "whsec-test", "gateway.webhook.backoff", "50ms", "gateway.oauth.token-timeout", "2s"));
        flow = new FlowDriver(gw.baseUrl(), gw.secretKey());
        db = new JdbcTemplate(gw.dataSource());
    }

    @AfterAll
    void stop() {
        gw.close();
        sink.close();
    }

    @BeforeEach
    void resetFaults() {
        gw.bean("sandboxAgc", SandboxAgc.class).faults().reset();
    }

    String user() {
        return "u" + (++users) + "-" + store().name().toLowerCase();
    }

    void flushLog() {
        gw.bean("operationLog", OperationLog.class).flush(5000);
    }

    List<Map<String, Object>> ops(String action, String status) {
        flushLog();
        return db.queryForList("SELECT * FROM operations WHERE action = ? AND status = ? ORDER BY id", action, status);
    }

    int connectionCount() {
        return db.queryForObject("SELECT COUNT(*) FROM connections", Integer.class);
    }

    @Test
    void subdomainAcme_picksAcmeSite_andNoSubdomain_picksFirstSite() {
        String a = user();
        Http.Res page = flow.run("agc-sandbox", flow.session(a), "acme");
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        assertThat(page.body()).contains("nango_oauth_callback_success").contains("acme.atlassian-us-gov-mod.net")
                .contains("nango-oauth-callback").contains("nango_oauth_callback_ack");
        // a Connect UI listening to the popup learns which connection was made
        assertThat(page.body()).contains("\"providerConfigKey\":\"agc-sandbox\"")
                .contains("\"connectionId\":\"" + flow.onlyConnection(a).path("connection_id").asText() + "\"");
        String b = user();
        assertThat(flow.run("agc-sandbox", flow.session(b), null).status()).isEqualTo(200);

        JsonNode ca = full(flow.onlyConnection(a).path("connection_id").asText(), "");
        JsonNode cb = full(flow.onlyConnection(b).path("connection_id").asText(), "");
        assertThat(ca.path("connection_config").path("cloudId").asText()).isEqualTo(ACME);
        assertThat(ca.path("connection_config").path("subdomain").asText()).isEqualTo("acme");
        assertThat(ca.path("connection_config").path("baseUrl").asText()).isEqualTo("https://acme.atlassian-us-gov-mod.net");
        assertThat(ca.path("connection_config").path("sites")).hasSize(2);
        assertThat(cb.path("connection_config").path("cloudId").asText()).isEqualTo(ACME_TEST);
        assertThat(cb.path("connection_config").has("subdomain")).isFalse();
        assertThat(ca.path("end_user").path("id").asText()).isEqualTo(a);
        assertThat(ca.path("end_user").path("organization").path("id").asText()).isEqualTo("org1");
        assertThat(ops("oauth_callback", "success")).isNotEmpty();
    }

    @Test
    void getConnection_hasNangoShape_andRefreshTokenOnlyWhenAsked() {
        String u = user();
        flow.run("agc-sandbox", flow.session(u), "acme");
        String id = flow.onlyConnection(u).path("connection_id").asText();
        JsonNode c = full(id, "");
        assertThat(c.path("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+00:00");
        assertThat(c.path("last_fetched_at").asText()).endsWith("+00:00");
        assertThat(c.path("provider").asText()).isEqualTo("atlassian-government-cloud-sandbox");
        assertThat(c.path("credentials").path("type").asText()).isEqualTo("OAUTH2");
        assertThat(c.path("credentials").path("access_token").asText()).isNotBlank();
        assertThat(c.path("credentials").path("expires_at").asText()).endsWith("Z");
        assertThat(c.path("credentials").has("refresh_token")).isFalse();
        assertThat(c.path("credentials").path("raw").has("refresh_token")).isFalse();
        assertThat(c.path("credentials").path("raw").path("expires_in").asInt()).isPositive();
        JsonNode withRt = full(id, "&refresh_token=true");
        assertThat(withRt.path("credentials").path("refresh_token").asText()).isNotBlank();
        assertThat(withRt.path("credentials").path("raw").path("refresh_token").asText()).isNotBlank();

        String oldAt = c.path("credentials").path("access_token").asText();
        JsonNode forced = full(id, "&force_refresh=true");
        assertThat(forced.path("credentials").path("access_token").asText()).isNotEqualTo(oldAt);

        assertThat(flow.http.get("/connections/" + id + "?provider_config_key=agc-sandbox&bogus=1").json().path("error").path("code").asText())
                .isEqualTo("invalid_query_params");
        Http.Res unknownIntegration = flow.http.get("/connections/" + id + "?provider_config_key=nope");
        assertThat(unknownIntegration.status()).isEqualTo(400);
        assertThat(unknownIntegration.json().path("error").path("code").asText()).isEqualTo("unknown_provider_config");
        Http.Res unknown = flow.http.get("/connections/nope?provider_config_key=agc-sandbox");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("error").path("code").asText()).isEqualTo("not_found");
        assertThat(flow.http.get("/connection/" + id + "?provider_config_key=agc-sandbox").status()).isEqualTo(200);
    }

    JsonNode full(String id, String extra) {
        Http.Res r = flow.http.get("/connections/" + id + "?provider_config_key=agc-sandbox" + extra);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    @Test
    void authorizeRedirect_carriesPkceStateScopesAudienceAndPrompt() {
        Http.Res r = flow.connect("agc-sandbox", flow.session(user()), "acme");
        assertThat(r.status()).isEqualTo(302);
        Map<String, String> q = FlowDriver.query(r.header("Location"));
        assertThat(r.header("Location")).startsWith(gw.baseUrl().replace("127.0.0.1", "127.0.0.1") + "/sandbox/authorize?");
        assertThat(q).containsEntry("response_type", "code").containsEntry("client_id", "agc-sandbox-client")
                .containsEntry("redirect_uri", gw.settings().publicUrl() + "/oauth/callback")
                .containsEntry("audience", "api.atlassian-us-gov-mod.com").containsEntry("prompt", "consent")
                .containsEntry("code_challenge_method", "S256");
        assertThat(q.get("scope").split(" ")).contains("offline_access", "read:jira-work");
        assertThat(q.get("state")).matches("[A-Za-z0-9_-]{43}");
        assertThat(q.get("code_challenge")).matches("[A-Za-z0-9_-]{43}");
        // only the digest is stored
        assertThat(db.queryForObject("SELECT COUNT(*) FROM oauth_sessions WHERE state_hash = ?", Integer.class, q.get("state"))).isZero();
    }

    @Test
    void accessDenied_showsErrorPage_storesNothing_logsFailure_andSendsFailureWebhook() throws Exception {
        int before = connectionCount();
        Http.Res c = flow.connect("agc-sandbox", flow.session(user()), null);
        Http.Res page = flow.abs(flow.approve(c.header("Location"), "deny"));
        assertThat(page.status()).isEqualTo(400);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.body()).contains("nango_oauth_callback_error").contains("access_denied").contains("callback_err");
        assertThat(connectionCount()).isEqualTo(before);
        assertThat(ops("oauth_callback", "failed")).anySatisfy(o -> assertThat(o.get("ERROR_CODE") != null ? o.get("ERROR_CODE") : o.get("error_code")).isEqualTo("callback_err"));
        assertThat(sink.awaitMatch(w -> w.body().contains("\"success\":false") && w.body().contains("invalid_callback"))).isTrue();
    }

    @Test
    void failedAuthorisation_sendsItsWebhookToTheSessionsOverride() throws Exception {
        try (WebhookSink override = new WebhookSink()) {
            String u = user();
            Http.Res s = flow.http.post("/connect/sessions", "{\"end_user\":{\"id\":\"" + u + "\"},\"webhook_url_override\":\""
                    + override.url() + "\"}");
            assertThat(s.status()).as(s.toString()).isEqualTo(201);
            Http.Res c = flow.connect("agc-sandbox", s.json().path("data").path("token").asText(), null);

            assertThat(flow.abs(flow.approve(c.header("Location"), "deny")).status()).isEqualTo(400);

            assertThat(override.awaitMatch(w -> w.body().contains("\"success\":false") && w.body().contains("invalid_callback")
                    && w.body().contains("\"operation\":\"creation\""))).isTrue();
            assertThat(sink.received).as("not also sent to the default URL")
                    .noneMatch(w -> w.body().equals(override.received.get(0).body()));
        }
    }

    @Test
    void sessionEndUser_fillsConnectionTags_listFiltersByThem_andWebhooksCarryThem() throws Exception {
        String u = user();
        String email = u + "@tags.example.gov";
        Http.Res s = flow.http.post("/connect/sessions", "{\"end_user\":{\"id\":\"" + u + "\",\"email\":\"" + email
                + "\",\"display_name\":\"Ann\",\"tags\":{\"Plan\":\"gold\"}},\"organization\":{\"id\":\"org7\","
                + "\"display_name\":\"Org Seven\"},\"tags\":{\"team\":\"blue\"}}");
        assertThat(s.status()).as(s.toString()).isEqualTo(201);
        assertThat(flow.run("agc-sandbox", s.json().path("data").path("token").asText(), "acme").status()).isEqualTo(200);
        String id = flow.onlyConnection(u).path("connection_id").asText();

        JsonNode tags = full(id, "").path("tags");
        assertThat(tags.path("end_user_id").asText()).isEqualTo(u);
        assertThat(tags.path("end_user_email").asText()).isEqualTo(email);
        assertThat(tags.path("end_user_display_name").asText()).isEqualTo("Ann");
        assertThat(tags.path("organization_id").asText()).isEqualTo("org7");
        assertThat(tags.path("organization_display_name").asText()).isEqualTo("Org Seven");
        assertThat(tags.path("plan").asText()).isEqualTo("gold");
        assertThat(tags.path("team").asText()).isEqualTo("blue");

        JsonNode found = flow.http.get("/connections?tags%5Bend_user_email%5D=" + java.net.URLEncoder.encode(email,
                java.nio.charset.StandardCharsets.UTF_8)).json().path("connections");
        assertThat(found).hasSize(1);
        assertThat(found.get(0).path("connection_id").asText()).isEqualTo(id);
        assertThat(flow.http.get("/connections?tags%5Bend_user_email%5D=nobody%40example.gov").json().path("connections")).isEmpty();

        assertThat(sink.awaitMatch(w -> w.body().contains("\"connectionId\":\"" + id + "\"")
                && w.body().contains("\"end_user_email\":\"" + email + "\"") && w.body().contains("\"organization_id\":\"org7\""))).isTrue();
        WebhookSink.Received hook = sink.received.stream().filter(w -> w.body().contains("\"connectionId\":\"" + id + "\"")).findFirst()
                .orElseThrow();
        // issue 15 item 10: webhooks name the gateway and its version, over plain HTTP/1.1 (no h2c upgrade offer)
        assertThat(hook.header("User-Agent")).isEqualTo(io.agcgateway.http.Version.USER_AGENT).matches("agc-gateway/\\d+\\.\\d+\\.\\d+.*");
        assertThat(hook.header("Upgrade")).isNull();
        assertThat(hook.header("HTTP2-Settings")).isNull();
    }

    @Test
    void missingCode_isRejected() {
        Http.Res c = flow.connect("agc-sandbox", flow.session(user()), null);
        String state = FlowDriver.query(c.header("Location")).get("state");
        Http.Res page = flow.browser.get("/oauth/callback?state=" + state);
        assertThat(page.status()).isEqualTo(400);
        assertThat(page.body()).contains("authorization code");
    }

    @Test
    void unknownOrMissingState_isRejected() {
        assertThat(flow.browser.get("/oauth/callback?code=x&state=nope").status()).isEqualTo(400);
        Http.Res none = flow.browser.get("/oauth/callback?code=x");
        assertThat(none.status()).isEqualTo(400);
        assertThat(none.body()).contains("invalid_state");
    }

    @Test
    void replayedState_loses_andOnlyOneConnectionExists() {
        String u = user();
        Http.Res c = flow.connect("agc-sandbox", flow.session(u), null);
        String callback = flow.approve(c.header("Location"), null);
        assertThat(flow.abs(callback).status()).isEqualTo(200);
        Http.Res replay = flow.abs(callback);
        assertThat(replay.status()).isEqualTo(400);
        assertThat(replay.body()).contains("already used");
        flow.onlyConnection(u);
    }

    @Test
    void expiredState_isRejected() {
        int before = connectionCount();
        Http.Res c = flow.connect("agc-sandbox", flow.session(user()), null);
        String callback = flow.approve(c.header("Location"), null);
        db.update("UPDATE oauth_sessions SET expires_at = 1");
        Http.Res page = flow.abs(callback);
        assertThat(page.status()).isEqualTo(400);
        assertThat(page.body()).contains("expired");
        assertThat(connectionCount()).isEqualTo(before);
    }

    @Test
    void stateFromAnotherSession_failsTheCodeExchange() {
        int before = connectionCount();
        String cbA = flow.approve(flow.connect("agc-sandbox", flow.session(user()), null).header("Location"), null);
        String cbB = flow.approve(flow.connect("agc-sandbox", flow.session(user()), null).header("Location"), null);
        String mixed = "/oauth/callback?code=" + FlowDriver.query(cbA).get("code") + "&state=" + FlowDriver.query(cbB).get("state");
        Http.Res page = flow.browser.get(mixed);
        assertThat(page.status()).isEqualTo(400);
        assertThat(page.body()).contains("token_exchange_failed");
        assertThat(connectionCount()).isEqualTo(before);
    }

    @Test
    void tokenEndpoint5xxAndTimeout_failTheFlowWithoutConnection() {
        int before = connectionCount();
        SandboxAgc agc = gw.bean("sandboxAgc", SandboxAgc.class);
        agc.faults().failNextTokenCalls(1, 503);
        Http.Res page = flow.run("agc-sandbox", flow.session(user()), null);
        assertThat(page.status()).isEqualTo(400);
        assertThat(page.body()).contains("unavailable");
        agc.faults().reset();
        agc.faults().tokenLatency(Duration.ofSeconds(3));
        Http.Res slow = flow.run("agc-sandbox", flow.session(user()), null);
        assertThat(slow.status()).isEqualTo(400);
        assertThat(slow.body()).contains("timeout");
        assertThat(connectionCount()).isEqualTo(before);
    }

    @Test
    void tokenEndpoint4xx_failsTheFlow() {
        Http.Res c = flow.connect("agc-sandbox", flow.session(user()), null);
        String state = FlowDriver.query(c.header("Location")).get("state");
        Http.Res page = flow.browser.get("/oauth/callback?code=forged&state=" + state);
        assertThat(page.status()).isEqualTo(400);
        assertThat(page.body()).contains("rejected");
    }

    @Test
    void accessibleResourcesFailing_keepsConnectionWithoutCloudId_andSaysSo() {
        gw.bean("sandboxAgc", SandboxAgc.class).faults().failNextApiCalls(1, 500);
        String u = user();
        Http.Res page = flow.run("agc-sandbox", flow.session(u), "acme");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("could not be found");
        JsonNode c = full(flow.onlyConnection(u).path("connection_id").asText(), "");
        assertThat(c.path("connection_config").has("cloudId")).isFalse();
        assertThat(c.path("errors").get(0).path("type").asText()).isEqualTo("enrichment");
        assertThat(ops("cloud_id_enrichment", "failed")).isNotEmpty();
    }

    @Test
    void subdomainMatchingNoSite_fallsBackToFirstSite() {
        String u = user();
        flow.run("agc-sandbox", flow.session(u), "nomatch");
        JsonNode c = full(flow.onlyConnection(u).path("connection_id").asText(), "");
        assertThat(c.path("connection_config").path("cloudId").asText()).isEqualTo(ACME_TEST);
        assertThat(c.path("connection_config").path("subdomain").asText()).isEqualTo("nomatch");
    }

    @Test
    void sessionToken_reusedOrExpired_isRefused() {
        String token = flow.session(user());
        assertThat(flow.run("agc-sandbox", token, null).status()).isEqualTo(200);
        Http.Res reused = flow.connect("agc-sandbox", token, null);
        assertThat(reused.status()).isEqualTo(401);
        assertThat(reused.json().path("error").path("code").asText()).isEqualTo("unknown_connect_session_token");

        String expired = flow.session(user());
        db.update("UPDATE connect_sessions SET expires_at = 1 WHERE token_hash = ?", Secrets.sha256Hex(expired));
        assertThat(flow.connect("agc-sandbox", expired, null).status()).isEqualTo(401);
        Http.Res page = flow.browser.get("/connect?session_token=" + expired);
        assertThat(page.status()).isEqualTo(401);
        assertThat(page.body()).contains("cannot be used");
        assertThat(flow.connect("agc-sandbox", "nango_connect_session_bad", null).json().path("error").path("code").asText())
                .isEqualTo("invalid_connect_session_token_format");
    }

    @Test
    void integrationNotAllowed_unknownIntegration_andConnectionIdWithToken_areRefused() {
        Http.Res created = flow.http.post("/integrations", "{\"provider\":\"atlassian-government-cloud\",\"unique_key\":\"other-"
                + store().name().toLowerCase() + users + "\",\"credentials\":{\"type\":\"OAUTH2\",\"client_id\":\"a\",\"client_secret\":\"b\"}}");
        assertThat(created.status()).isEqualTo(200);
        String token = flow.session(user(), "agc-sandbox");
        Http.Res notAllowed = flow.connect(created.json().path("data").path("unique_key").asText(), token, null);
        assertThat(notAllowed.status()).isEqualTo(400);
        assertThat(notAllowed.json().path("error").path("code").asText()).isEqualTo("integration_not_allowed");

        Http.Res withId = flow.browser.get("/oauth/connect/agc-sandbox?connect_session_token=" + token + "&connection_id=x");
        assertThat(withId.json().path("error").path("code").asText()).isEqualTo("invalid_query_params");

        Http.Res unknownAllowed = flow.http.post("/connect/sessions", "{\"end_user\":{\"id\":\"x\"},\"allowed_integrations\":[\"nope\"]}");
        assertThat(unknownAllowed.status()).isEqualTo(400);
        assertThat(unknownAllowed.json().path("error").path("code").asText()).isEqualTo("invalid_body");
        Http.Res strict = flow.http.post("/connect/sessions", "{\"end_user\":{\"id\":\"x\"},\"bogus\":1}");
        assertThat(strict.status()).isEqualTo(400);

        Http.Res badSubdomain = flow.connect("agc-sandbox", token, "bad%2Fone");
        assertThat(badSubdomain.status()).isEqualTo(400);
        assertThat(badSubdomain.body()).contains("url_param_err");
    }

    @Test
    void connectPage_listsAllowedIntegrations_withSubdomainField() {
        String token = flow.session(user(), "agc-sandbox");
        Http.Res page = flow.browser.get("/connect?session_token=" + token);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.body()).contains("/oauth/connect/agc-sandbox").contains("name=\"params[subdomain]\"")
                .contains(".atlassian-us-gov-mod.net").contains(token).doesNotContain("<script src");
        assertThat(db.queryForObject("SELECT COUNT(*) FROM connect_sessions WHERE token_hash = ?", Integer.class, token)).isZero();
        assertThat(db.queryForObject("SELECT COUNT(*) FROM connect_sessions WHERE token_hash = ?", Integer.class,
                Secrets.sha256Hex(token))).isEqualTo(1);
        Http.Res current = flow.browser.get("/connect/session", "Authorization", "Bearer " + token);
        assertThat(current.status()).isEqualTo(200);
        assertThat(current.json().path("data").path("allowed_integrations").get(0).asText()).isEqualTo("agc-sandbox");
    }

    @Test
    void creationAndReauthorisation_sendSignedAuthWebhooks_retryingOn5xx() throws Exception {
        sink.received.clear();
        sink.failFirst = sink.calls.get() + 1;
        String u = user();
        flow.run("agc-sandbox", flow.session(u), "acme");
        String id = flow.onlyConnection(u).path("connection_id").asText();
        assertThat(sink.awaitMatch(r -> r.body().contains(id))).isTrue();
        List<WebhookSink.Received> got = sink.received;
        WebhookSink.Received w = got.stream().filter(r -> r.body().contains(id)).findFirst().orElseThrow();
        assertThat(w.body()).startsWith("{\"authMode\":\"OAUTH2\",\"connectionId\":\"" + id + "\",\"endUser\":{");
        assertThat(w.body()).contains("\"operation\":\"creation\"").contains("\"success\":true").contains("\"type\":\"auth\"")
                .contains("\"environment\":\"prod\"").contains("\"from\":\"nango\"");
        assertThat(w.header("X-Nango-Hmac-Sha256")).isEqualTo(io.agcgateway.webhooks.WebhookDelivery.hmacHex("whsec-test", w.body()));
        assertThat(w.header("X-Nango-Signature")).isEqualTo(io.agcgateway.webhooks.WebhookDelivery.legacySignature("whsec-test", w.body()));

        Http.Res re = flow.http.post("/connect/sessions/reconnect", "{\"connection_id\":\"" + id
                + "\",\"integration_id\":\"agc-sandbox\",\"end_user\":{\"id\":\"" + u + "\"}}");
        assertThat(re.status()).as(re.toString()).isEqualTo(201);
        assertThat(flow.run("agc-sandbox", re.json().path("data").path("token").asText(), "acme").status()).isEqualTo(200);
        assertThat(sink.awaitMatch(r -> r.body().contains(id) && r.body().contains("\"operation\":\"override\""))).isTrue();
        flow.onlyConnection(u);
        // Nango's operation name is type:action = webhook:connection_create (it was logged as webhook:webhook:...)
        List<Map<String, Object>> delivered = ops("connection_create", "success");
        assertThat(delivered).isNotEmpty().allSatisfy(o -> assertThat(o.get("op_type")).isEqualTo("webhook"));
        assertThat(db.queryForObject("SELECT COUNT(*) FROM operations WHERE action LIKE 'webhook:%'", Integer.class)).isZero();
    }

    @Test
    void deleteConnectSession_answers204_andTheTokenStopsWorking() {
        String token = flow.session(user());
        Http.Res del = flow.browser.delete("/connect/session", "Authorization", "Bearer " + token);
        assertThat(del.status()).as(del.toString()).isEqualTo(204);
        assertThat(flow.browser.get("/connect/session", "Authorization", "Bearer " + token).status()).isEqualTo(401);
        assertThat(flow.connect("agc-sandbox", token, "acme").status()).isEqualTo(401);
    }

    @Test
    void reconnectSession_withOnlyConnectionAndIntegration_keepsTheConnectionsEndUser() {
        String u = user();
        flow.run("agc-sandbox", flow.session(u), "acme");
        String id = flow.onlyConnection(u).path("connection_id").asText();

        Http.Res re = flow.http.post("/connect/sessions/reconnect", "{\"connection_id\":\"" + id + "\",\"integration_id\":\"agc-sandbox\"}");
        assertThat(re.status()).as(re.toString()).isEqualTo(201);
        String token = re.json().path("data").path("token").asText();
        JsonNode session = flow.browser.get("/connect/session", "Authorization", "Bearer " + token).json().path("data");
        assertThat(session.path("end_user").path("id").asText()).isEqualTo(u);
        assertThat(session.path("end_user").has("organization")).isFalse();
        assertThat(session.path("organization").path("id").asText()).isEqualTo("org1");
        assertThat(session.path("is_reconnecting").asBoolean()).isTrue();

        assertThat(flow.run("agc-sandbox", token, "acme").status()).isEqualTo(200);
        JsonNode c = full(id, "");
        assertThat(c.path("end_user").path("id").asText()).isEqualTo(u);
        assertThat(c.path("end_user").path("organization").path("id").asText()).isEqualTo("org1");
        assertThat(flow.onlyConnection(u).path("connection_id").asText()).as("re-authorised, not a second connection").isEqualTo(id);
    }

    @Test
    void integrationWithoutClientCredentials_answersProviderConfigErrPage() {
        String key = "nocreds-" + store().name().toLowerCase();
        long now = System.currentTimeMillis();
        db.update("INSERT INTO integrations (unique_key, provider, display_name, forward_webhooks, created_at, updated_at) "
                + "VALUES (?, 'atlassian-government-cloud', 'x', TRUE, ?, ?)", key, now, now);
        Http.Res r = flow.connect(key, flow.session(user()), null);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("Content-Type")).startsWith("text/html");
        assertThat(r.body()).contains("provider_config_err").contains("nango_oauth_callback_error");
        assertThat(ops("oauth_authorize", "failed")).isNotEmpty();
    }

    @Test
    void legacyPostConnection_patch_andSingularAliases() {
        String u = user();
        Http.Res created = flow.http.post("/connection", "{\"provider_config_key\":\"agc-sandbox\",\"connection_id\":\"legacy-" + u
                + "\",\"access_token\":\"at\",\"expires_in\":3600}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().path("connection_id").asText()).isEqualTo("legacy-" + u);
        assertThat(flow.http.post("/connection", "{\"provider_config_key\":\"agc-sandbox\",\"access_token\":\"at\"}")
                .json().path("error").path("code").asText()).isEqualTo("missing_expires_at");
        Http.Res patched = flow.http.patch("/connections/legacy-" + u + "?provider_config_key=agc-sandbox", "{\"tags\":{\"k\":\"v\"}}");
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        JsonNode c = flow.http.get("/connection/legacy-" + u + "?provider_config_key=agc-sandbox").json();
        assertThat(c.path("tags").path("k").asText()).isEqualTo("v");
        assertThat(c.path("credentials").path("expires_at").asText()).matches(".*\\.\\d{3}Z");
        assertThat(flow.http.delete("/connection/legacy-" + u + "?provider_config_key=agc-sandbox").status()).isEqualTo(200);
    }

    @Test
    void metadata_list_import_andDelete() {
        String u = user();
        flow.run("agc-sandbox", flow.session(u), null);
        String id = flow.onlyConnection(u).path("connection_id").asText();
        assertThat(flow.onlyConnection(u).path("created").asText()).endsWith("+00:00");
        assertThat(flow.http.post("/connections/metadata", "{\"connection_id\":\"" + id
                + "\",\"provider_config_key\":\"agc-sandbox\",\"metadata\":{\"a\":1,\"b\":2}}").status()).isEqualTo(201);
        assertThat(flow.http.patch("/connections/metadata", "{\"connection_id\":\"" + id
                + "\",\"provider_config_key\":\"agc-sandbox\",\"metadata\":{\"b\":3}}").status()).isEqualTo(200);
        assertThat(full(id, "").path("metadata").toString()).isEqualTo("{\"a\":1,\"b\":3}");
        flow.http.post("/connections/metadata", "{\"connection_id\":\"" + id + "\",\"provider_config_key\":\"agc-sandbox\",\"metadata\":{\"c\":1}}");
        assertThat(full(id, "").path("metadata").toString()).isEqualTo("{\"c\":1}");

        String body = "{\"provider_config_key\":\"agc-sandbox\",\"connection_id\":\"imp-" + u + "\",\"credentials\":{\"type\":\"OAUTH2\","
                + "\"access_token\":\"at\",\"refresh_token\":\"rt\",\"expires_at\":\"2099-01-01T00:00:00Z\"},\"connection_config\":{\"cloudId\":\"c1\"}}";
        Http.Res imp = flow.http.post("/connections", body);
        assertThat(imp.status()).as(imp.toString()).isEqualTo(201);
        assertThat(imp.json().path("connection_config").path("cloudId").asText()).isEqualTo("c1");
        Http.Res again = flow.http.post("/connections", body.replace("\"at\"", "\"at2\""));
        assertThat(again.status()).as("re-import upserts, as in Nango").isEqualTo(201);
        assertThat(again.json().path("id").asLong()).isEqualTo(imp.json().path("id").asLong());
        assertThat(again.json().path("credentials").path("access_token").asText()).isEqualTo("at2");
        assertThat(flow.http.post("/connections", body.replace("\"agc-sandbox\"", "\"nope\"")).status()).isEqualTo(404);

        Http.Res del = flow.http.delete("/connections/" + id + "?provider_config_key=agc-sandbox");
        assertThat(del.status()).isEqualTo(200);
        assertThat(del.json().path("success").asBoolean()).isTrue();
        assertThat(flow.http.delete("/connections/" + id + "?provider_config_key=agc-sandbox").status()).isEqualTo(400); // Nango: unknown_connection
    }
}
