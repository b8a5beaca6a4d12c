package io.agcgateway.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.Gateway;
import io.agcgateway.support.FlowDriver;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Only the Connect UI (what openConnectUI() frames: /connect without ?session_token=) may be framed, by the origins of
 * gateway.connect-ui.frame-ancestors; every other page and answer keeps X-Frame-Options DENY.
 */
class ConnectUiFramingTest {
    private static final String ANCESTORS = "'self' https://app.example.gov";
    private static Gateway gw;
    private static FlowDriver flow;

    @BeforeAll
    static void boot() {
        gw = Gateway.start(TestGateway.with(TestGateway.settings(TestGateway.Store.H2),
                "gateway.connect-ui.frame-ancestors", ANCESTORS));
        flow = new FlowDriver(gw.baseUrl(), gw.secretKey());
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    private static Http.Res postToken(String token) {
        return flow.browser.send("POST", "/connect", "session_token=" + token, "Content-Type", "application/x-www-form-urlencoded");
    }

    private static void framableBySetting(String what, Http.Res r) {
        assertThat(r.header("X-Frame-Options")).as(what).isNull();
        assertThat(r.header("Content-Security-Policy")).as(what).contains("frame-ancestors " + ANCESTORS)
                .doesNotContain("frame-ancestors 'none'");
    }

    @Test
    void connectUiShell_isFramableByTheSettingsOrigins_andSaysReady() {
        for (String path : new String[] {"/connect", "/connect/?apiURL=" + gw.baseUrl()}) {
            Http.Res shell = flow.browser.get(path);
            assertThat(shell.status()).as(path).isEqualTo(200);
            framableBySetting(path, shell);
            assertThat(shell.body()).contains("postMessage({type:'ready'}").contains("'session_token'")
                    .contains("method=\"post\"");
        }
    }

    @Test
    void connectUiChoices_areFramable_andRunTheFlowThroughTheWebSocket() {
        Http.Res choices = postToken(flow.session("framing-choices", "agc-sandbox"));
        assertThat(choices.status()).as(choices.toString()).isEqualTo(200);
        framableBySetting("choices", choices);
        assertThat(choices.body()).contains("/oauth/connect/agc-sandbox").contains("new WebSocket").contains("ws_client_id")
                .contains("type:'connect'").contains("type:'close'").contains("role=\"dialog\"");
    }

    @Test
    void connectUiWithARefusedToken_isFramable401_thatReportsTheErrorAndCanClose() {
        Map<String, String> tokens = new LinkedHashMap<>();
        tokens.put("", "missing_connect_session_token");
        tokens.put("nango_connect_session_zz", "invalid_connect_session_token_format");
        tokens.put("nango_connect_session_" + "cd".repeat(32), "unknown_connect_session_token");
        tokens.forEach((token, code) -> {
            Http.Res r = postToken(token);
            assertThat(r.status()).as(code).isEqualTo(401);
            framableBySetting(code, r);
            assertThat(r.body()).as(code).contains("\"errorType\":\"" + code + "\"").contains("id=\"cu-close\"")
                    .contains("role=\"alertdialog\"");
        });
    }

    @Test
    void everythingElse_keepsDeny() {
        String token = flow.session("framing-deny", "agc-sandbox");
        Http.Res consent = flow.connect("agc-sandbox", token, "acme");
        assertThat(consent.status()).isEqualTo(302);
        String consentUrl = consent.header("Location");
        Map<String, Http.Res> pages = new LinkedHashMap<>();
        pages.put("standalone connect_link", flow.browser.get("/connect?session_token=" + flow.session("framing-link")));
        pages.put("standalone, refused", flow.browser.get("/connect?session_token=nango_connect_session_zz"));
        pages.put("oauth connect error page", flow.browser.get("/oauth/connect/agc-sandbox?connect_session_token=nango_connect_session_zz"));
        pages.put("sandbox consent", flow.abs(consentUrl));
        pages.put("callback", flow.abs(flow.approve(consentUrl, null)));
        pages.put("dashboard", flow.browser.get("/"));
        pages.put("API", flow.http.get("/integrations"));
        pages.put("API, session token", new Http(gw.baseUrl(), flow.session("framing-api")).get("/integrations"));
        pages.forEach((what, r) -> {
            assertThat(r.header("X-Frame-Options")).as(what + " " + r.status()).isEqualTo("DENY");
            if (r.header("Content-Type") != null && r.header("Content-Type").startsWith("text/html")) {
                assertThat(r.header("Content-Security-Policy")).as(what).contains("frame-ancestors 'none'");
            }
        });
    }
}
