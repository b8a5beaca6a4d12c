package io.agcgateway.publisher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.Gateway;
import io.agcgateway.http.Json;
import io.agcgateway.support.FlowDriver;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The WebSocket side of the OAuth flow as @nangohq/frontend speaks it, driven at the protocol level (real routes). */
class PublisherRouteTest {
    private static final Pattern UUID_V4 = Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");

    private static Gateway gw;
    private static FlowDriver flow;

    @BeforeAll
    static void start() {
        Map<String, String> s = TestGateway.settings(TestGateway.Store.H2);
        s.put("gateway.websockets.ping-interval", "200ms");
        gw = Gateway.start(s);
        flow = new FlowDriver(gw.baseUrl(), gw.secretKey());
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    @Test
    void open_isAcknowledgedAtOnceWithAUuidV4() throws Exception {
        WsClient c = WsClient.open(gw.baseUrl(), "/");
        assertThat(c.ack()).matches(UUID_V4);
    }

    @Test
    void callbackSuccess_sendsSuccessToTheSocketThatStartedTheFlow_thenClosesIt() throws Exception {
        WsClient c = WsClient.open(gw.baseUrl(), "/");
        String id = c.ack();
        WsClient other = WsClient.open(gw.baseUrl(), "/");
        other.ack();
        String token = flow.session("ws-ok");
        // as the SDK builds it: brackets percent-encoded, ws_client_id last
        Http.Res connect = flow.browser.get("/oauth/connect/agc-sandbox?connect_session_token=" + token
                + "&params%5Bsubdomain%5D=acme&ws_client_id=" + id);
        assertThat(connect.status()).as(connect.toString()).isEqualTo(302);
        Http.Res callback = flow.abs(flow.approve(connect.header("Location"), null));
        assertThat(callback.status()).isEqualTo(200);

        JsonNode m = c.next();
        assertThat(m.path("message_type").asText()).isEqualTo("success");
        assertThat(m.path("provider_config_key").asText()).isEqualTo("agc-sandbox");
        assertThat(m.path("connection_id").asText()).isEqualTo(flow.onlyConnection("ws-ok").path("connection_id").asText());
        assertThat(m.path("is_pending").asBoolean(true)).isFalse();
        c.awaitClose();
        assertThat(other.messages.poll(300, TimeUnit.MILLISECONDS)).as("nothing for another flow's socket").isNull();
        assertThat(new Http(gw.baseUrl(), null).get("/observe/metrics").body())
                .contains("gateway_websocket_messages_total{type=\"success\"")
                .contains("gateway_websockets_open");
    }

    @Test
    void deniedConsent_sendsCallbackErr() throws Exception {
        WsClient c = WsClient.open(gw.baseUrl(), "/");
        String id = c.ack();
        Http.Res connect = flow.browser.get("/oauth/connect/agc-sandbox?connect_session_token=" + flow.session("ws-denied")
                + "&params%5Bsubdomain%5D=acme&ws_client_id=" + id);
        Http.Res callback = flow.abs(flow.approve(connect.header("Location"), "deny"));
        assertThat(callback.status()).isEqualTo(400);

        JsonNode m = c.next();
        assertThat(m.path("message_type").asText()).isEqualTo("error");
        assertThat(m.path("error_type").asText()).isEqualTo("callback_err");
        assertThat(m.path("error_desc").asText()).contains("access_denied");
        assertThat(m.path("provider_config_key").asText()).isEqualTo("agc-sandbox");
        c.awaitClose();
    }

    @Test
    void connectPageFailure_sendsTheErrorTheHtmlPageShows() throws Exception {
        WsClient c = WsClient.open(gw.baseUrl(), "/");
        String id = c.ack();
        Http.Res r = flow.browser.get("/oauth/connect/agc-sandbox?connect_session_token=" + flow.session("ws-bad-param")
                + "&params%5Bsubdomain%5D=" + "a".repeat(300) + "&ws_client_id=" + id);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("Content-Type")).startsWith("text/html");

        JsonNode m = c.next();
        assertThat(m.path("message_type").asText()).isEqualTo("error");
        assertThat(m.path("error_type").asText()).isEqualTo("url_param_err");
        c.awaitClose();
    }

    @Test
    void sessionFailure_answersJsonAndLeavesTheSocketOpen() throws Exception {
        WsClient c = WsClient.open(gw.baseUrl(), "/");
        String id = c.ack();
        Http.Res r = flow.browser.get("/oauth/connect/agc-sandbox?connect_session_token=nope&ws_client_id=" + id);
        assertThat(r.status()).isEqualTo(401);
        assertThat(c.messages.poll(500, TimeUnit.MILLISECONDS)).isNull();
        assertThat(c.closeCode).isEqualTo(-1);
    }

    @Test
    void openSocket_isPinged() throws Exception {
        WsClient c = WsClient.open(gw.baseUrl(), "/");
        c.ack();
        for (int i = 0; i < 50 && c.pings.get() < 2; i++) {
            Thread.sleep(100);
        }
        assertThat(c.pings.get()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void socketOlderThanMaxLifetime_isClosed() throws Exception {
        Map<String, String> s = TestGateway.settings(TestGateway.Store.H2);
        s.put("gateway.websockets.max-lifetime", "500ms");
        try (Gateway short_ = Gateway.start(s)) {
            WsClient c = WsClient.open(short_.baseUrl(), "/");
            c.ack();
            c.awaitClose();
            assertThat(short_.bean("publisher", Publisher.class).openSockets()).isZero();
        }
    }

    @Test
    void websocketsPathSetting_movesTheSocket_andConnectSessionNamesIt() throws Exception {
        Map<String, String> s = TestGateway.settings(TestGateway.Store.H2);
        s.put("gateway.websockets.path", "/ws");
        try (Gateway moved = Gateway.start(s)) {
            WsClient c = WsClient.open(moved.baseUrl(), "/ws");
            assertThat(c.ack()).matches(UUID_V4);
            String token = new FlowDriver(moved.baseUrl(), moved.secretKey()).session("ws-path");
            assertThat(new Http(moved.baseUrl(), token).get("/connect/session").json().path("data").path("websocketsPath").asText())
                    .isEqualTo("/ws");
            assertThat(new Http(moved.baseUrl(), null).get("/").status()).isEqualTo(200);
        }
    }
}
