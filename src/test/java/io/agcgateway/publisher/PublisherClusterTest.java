package io.agcgateway.publisher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.support.ClusterProcess;
import io.agcgateway.support.FlowDriver;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two gateway JVMs on one PostgreSQL with gateway.cluster=true: the browser's WebSocket is on node A, the provider
 * sends the browser back to node B (a load balancer's choice), and the outcome still reaches the socket through
 * LISTEN/NOTIFY. Node A also plays the provider (B's sandbox base URL points at it), so both use one sandbox.
 */
@Tag("cluster")
class PublisherClusterTest {
    private static final String SECRET = "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b";
    private static final List<ClusterProcess> nodes = new ArrayList<>();
    private static ClusterProcess a;
    private static ClusterProcess b;

    @BeforeAll
    static void cluster() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Map<String, String> env = new HashMap<>();
        env.put("GATEWAY_DB_URL", TestGateway.newPostgresDatabase());
        env.put("GATEWAY_DB_USER", "postgres");
        env.put("GATEWAY_DB_PASSWORD", "postgres");
        env.put("GATEWAY_DB_POOL_SIZE", "4");
        env.put("GATEWAY_ENCRYPTION_KEY", Base64.getEncoder().encodeToString(key));
        env.put("GATEWAY_SECRET_KEY", SECRET);
        env.put("GATEWAY_CLUSTER", "true");
        env.put("GATEWAY_SANDBOX", "true");
        env.put("GATEWAY_REFRESH_SWEEP_CRON", "0 0 0 1 1 ?");
        a = start("ws-node-a", env);
        Map<String, String> envB = new HashMap<>(env);
        envB.put("GATEWAY_SANDBOX_BASE_URL", a.baseUrl());
        b = start("ws-node-b", envB);
    }

    private static ClusterProcess start(String name, Map<String, String> env) {
        ClusterProcess p = ClusterProcess.start(name, env);
        nodes.add(p);
        return p;
    }

    @AfterAll
    static void stop() {
        nodes.forEach(ClusterProcess::close);
    }

    @Test
    void socketOnNodeA_callbackOnNodeB_successReachesTheSocket() throws Exception {
        WsClient socket = WsClient.open(a.baseUrl(), "/");
        String id = socket.ack();
        FlowDriver onA = new FlowDriver(a.baseUrl(), SECRET);
        Http.Res connect = onA.browser.get("/oauth/connect/agc-sandbox?connect_session_token=" + onA.session("cluster-ws")
                + "&params%5Bsubdomain%5D=acme&ws_client_id=" + id);
        assertThat(connect.status()).as(connect.toString()).isEqualTo(302);
        String callback = onA.approve(connect.header("Location"), null);

        Http.Res onB = new FlowDriver(b.baseUrl(), SECRET).abs(callback);
        assertThat(onB.status()).as(onB.toString()).isEqualTo(200);

        JsonNode m = socket.next();
        assertThat(m.path("message_type").asText()).isEqualTo("success");
        assertThat(m.path("provider_config_key").asText()).isEqualTo("agc-sandbox");
        assertThat(m.path("connection_id").asText()).isEqualTo(onA.onlyConnection("cluster-ws").path("connection_id").asText());
        socket.awaitClose();
        assertThat(new Http(b.baseUrl(), null).get("/observe/metrics").body()).contains("gateway_websocket_relay_total{outcome=\"sent\"");
        assertThat(new Http(a.baseUrl(), null).get("/observe/metrics").body()).contains("gateway_websocket_relay_total{outcome=\"delivered\"");
    }

    @Test
    void socketOnNodeA_deniedConsentOnNodeB_errorReachesTheSocket() throws Exception {
        WsClient socket = WsClient.open(a.baseUrl(), "/");
        String id = socket.ack();
        FlowDriver onA = new FlowDriver(a.baseUrl(), SECRET);
        Http.Res connect = onA.browser.get("/oauth/connect/agc-sandbox?connect_session_token=" + onA.session("cluster-ws-denied")
                + "&params%5Bsubdomain%5D=acme&ws_client_id=" + id);
        String callback = onA.approve(connect.header("Location"), "deny");

        assertThat(new FlowDriver(b.baseUrl(), SECRET).abs(callback).status()).isEqualTo(400);
        JsonNode m = socket.next();
        assertThat(m.path("message_type").asText()).isEqualTo("error");
        assertThat(m.path("error_type").asText()).isEqualTo("callback_err");
        socket.awaitClose();
    }
}
