package io.agcgateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.Gateway;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.connections.NewConnection;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.integrations.IntegrationStore;
import io.agcgateway.support.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 item 1: route monitoring over HTTP. Jolokia at /observe/jolokia answers a JMX read of the api-proxy route's
 * counters with the secret key or the operator key, refuses exec and write, and reveals no secret. The operator key
 * also opens the Health page's numbers, and nothing else.
 */
class JolokiaTest {
    static final String OPERATOR_KEY = "0b6a1d9e-3f2c-4a57-9e1b-7c4d2f8a6b31";
    static final String ROUTE_MBEAN = "org.apache.camel:context=*,type=routes,name=\"api-proxy\"";
    static FakeUpstream up;
    static Gateway gw;

    @BeforeAll
    static void boot() throws Exception {
        up = new FakeUpstream();
        gw = up.gateway("gateway.operator-key", OPERATOR_KEY);
        TokenCipher cipher = gw.bean("tokenCipher", TokenCipher.class);
        long integrationId = gw.bean("integrationStore", IntegrationStore.class).find("jira").id();
        gw.bean("connectionStore", ConnectionStore.class).insert(NewConnection.builder(integrationId, "u1")
                .accessTokenEnc(cipher.encrypt("tok-1", "access_token")).refreshTokenEnc(cipher.encrypt("rt-tok-1", "refresh_token"))
                .expiresAt(System.currentTimeMillis() + 3_600_000).connectionConfig("{\"cloudId\":\"cloud-123\"}").build(),
                System.currentTimeMillis());
    }

    @AfterAll
    static void shutdown() {
        gw.close();
        up.close();
    }

    private static Http.Res jolokia(String key, String body) {
        return new Http(gw.baseUrl(), key).send("POST", "/observe/jolokia", body, "Content-Type", "application/json");
    }

    private static double exchangesTotal(String key) {
        Http.Res r = jolokia(key, "{\"type\":\"read\",\"mbean\":\"" + ROUTE_MBEAN.replace("\"", "\\\"") + "\",\"attribute\":\"ExchangesTotal\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode json = r.json();
        assertThat(json.path("status").asInt()).as(r.body()).isEqualTo(200);
        // a pattern read answers {mbean name: {attribute: value}}
        JsonNode route = json.path("value").elements().next();
        return route.path("ExchangesTotal").asDouble();
    }

    @Test
    void aProxiedCall_isCountedOnTheRouteMBean_readWithEitherKey() {
        double before = exchangesTotal(gw.secretKey());
        Http.Res call = new Http(gw.baseUrl(), gw.secretKey()).send("GET", "/proxy/x", null, "Provider-Config-Key", "jira",
                "Connection-Id", "u1");
        assertThat(call.status()).as(call.body()).isEqualTo(200);
        assertThat(exchangesTotal(gw.secretKey())).isEqualTo(before + 1);
        assertThat(exchangesTotal(OPERATOR_KEY)).isEqualTo(before + 1);
    }

    @Test
    void withoutAKey_orWithAWrongOne_is401() {
        for (String key : new String[] {null, "11111111-2222-4333-8444-555555555555"}) {
            Http.Res r = new Http(gw.baseUrl(), key).get("/observe/jolokia/version");
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.json().at("/error/code").asText()).isNotEmpty();
        }
        assertThat(new Http(gw.baseUrl(), OPERATOR_KEY).get("/observe/jolokia/version").status()).isEqualTo(200);
        // the operator key opens Jolokia only, not the API
        assertThat(new Http(gw.baseUrl(), OPERATOR_KEY).get("/integrations").status()).isEqualTo(401);
    }

    @Test
    void theOperatorKey_opensTheHealthNumbers_andNoOtherApiOrDashboardCall() {
        Http operator = new Http(gw.baseUrl(), OPERATOR_KEY);
        Http.Res health = operator.get("/dashboard/api/health");
        assertThat(health.status()).as(health.body()).isEqualTo(200);
        assertThat(health.json().has("connections")).as(health.body()).isTrue();
        // the same with a (small) body: the HTTP guard checks keys before reading one, with the route's own key rule
        assertThat(operator.send("GET", "/dashboard/api/health", "{}", "Content-Type", "application/json").status()).isEqualTo(200);
        assertThat(new Http(gw.baseUrl(), gw.secretKey()).get("/dashboard/api/health").status()).isEqualTo(200);
        for (String key : new String[] {null, "11111111-2222-4333-8444-555555555555"}) {
            Http.Res r = new Http(gw.baseUrl(), key).get("/dashboard/api/health");
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.json().at("/error/code").asText()).isNotEmpty();
        }
        for (String path : new String[] {"/connections", "/connections/u1?provider_config_key=jira", "/logs", "/integrations",
                "/providers"}) {
            Http.Res r = operator.get(path);
            assertThat(r.status()).as(path + " " + r.body()).isEqualTo(401);
        }
        assertThat(operator.send("POST", "/connect/sessions", "{\"end_user\":{\"id\":\"e\"}}", "Content-Type", "application/json")
                .status()).isEqualTo(401);
    }

    @Test
    void execAndWrite_areRefused_andTheRouteKeepsRunning() {
        Http.Res exec = jolokia(gw.secretKey(), "{\"type\":\"exec\",\"mbean\":\"" + ROUTE_MBEAN.replace("*", gw.context().getName())
                .replace("\"", "\\\"") + "\",\"operation\":\"stop()\"}");
        assertThat(exec.json().path("status").asInt()).as(exec.body()).isEqualTo(403);
        Http.Res write = jolokia(gw.secretKey(), "{\"type\":\"write\",\"mbean\":\"" + ROUTE_MBEAN.replace("*", gw.context().getName())
                .replace("\"", "\\\"") + "\",\"attribute\":\"Tracing\",\"value\":true}");
        assertThat(write.json().path("status").asInt()).as(write.body()).isEqualTo(403);
        assertThat(gw.context().getRouteController().getRouteStatus("api-proxy").isStarted()).isTrue();
    }

    @Test
    void noSecretInJolokiaAnswers() {
        String everything = jolokia(gw.secretKey(), "{\"type\":\"read\",\"mbean\":\"org.apache.camel:*\"}").body()
                + jolokia(gw.secretKey(), "{\"type\":\"list\"}").body()
                + jolokia(gw.secretKey(), "{\"type\":\"read\",\"mbean\":\"java.lang:type=Runtime\"}").body();
        assertThat(everything.length()).isGreaterThan(10_000);
        assertThat(everything).doesNotContain(gw.secretKey()).doesNotContain(OPERATOR_KEY).doesNotContain("tok-1")
                .doesNotContain("csecret");
    }
}
