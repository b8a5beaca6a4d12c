package io.agcgateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.Gateway;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.integrations.Integration;
import io.agcgateway.integrations.IntegrationStore;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 3 across nodes: two gateways on one PostgreSQL. A connection deleted and re-imported under the same id
 * on node A stops being served from node B's token cache within gateway.proxy.token-cache-sync (today's main: up to
 * token-cache-max-age, 60 s).
 */
class TokenCacheClusterTest {
    static FakeUpstream up;
    static Gateway a;
    static Gateway b;
    static Http httpA;
    static Http httpB;

    @BeforeAll
    static void boot() throws Exception {
        up = new FakeUpstream();
        Path catalog = Files.createTempFile("providers-cluster-cache", ".yaml");
        Files.writeString(catalog, up.catalogYaml(TestGateway.freePort()));
        Map<String, String> sa = TestGateway.with(TestGateway.settings(TestGateway.Store.POSTGRES), "gateway.providers", catalog.toString(),
                "gateway.sandbox", "false", "gateway.secret-key", "7c1f2a9e-1b2c-4d3e-8f90-a1b2c3d4e5f6");
        a = Gateway.start(sa);
        Map<String, String> sb = TestGateway.with(TestGateway.settings(TestGateway.Store.H2), "gateway.providers", catalog.toString(),
                "gateway.sandbox", "false", "gateway.secret-key", sa.get("gateway.secret-key"), "gateway.db.url", sa.get("gateway.db.url"),
                "gateway.db.user", "postgres", "gateway.db.password", "postgres", "gateway.encryption-key", sa.get("gateway.encryption-key"));
        b = Gateway.start(sb);
        httpA = new Http(a.baseUrl(), a.secretKey());
        httpB = new Http(b.baseUrl(), b.secretKey());
        TokenCipher cipher = a.bean("tokenCipher", TokenCipher.class);
        long now = System.currentTimeMillis();
        a.bean("integrationStore", IntegrationStore.class).insert(new Integration(0, "jira", "test-upstream", "Jira", "cid",
                cipher.encrypt("csecret", "client_secret"), null, null, false, now, now));
    }

    @AfterAll
    static void shutdown() {
        b.close();
        a.close();
        up.close();
    }

    @Test
    void deleteAndReimportOnOneNode_otherNodeUsesTheNewTokenWithinTheSyncInterval() throws Exception {
        importConnection("c-x", "tok-old");
        assertThat(bearerSeenUpstream(httpB, "c-x")).isEqualTo("Bearer tok-old"); // now cached on B

        assertThat(httpA.delete("/connection/c-x?provider_config_key=jira").status()).isEqualTo(200);
        importConnection("c-x", "tok-new");
        Thread.sleep(2_000); // the 1 s sync interval, plus its run

        assertThat(bearerSeenUpstream(httpB, "c-x")).isEqualTo("Bearer tok-new");
    }

    @Test
    void deleteOnOneNode_otherNodeRefusesWithinTheSyncInterval() throws Exception {
        importConnection("c-y", "tok-y");
        assertThat(bearerSeenUpstream(httpB, "c-y")).isEqualTo("Bearer tok-y");

        assertThat(httpA.delete("/connection/c-y?provider_config_key=jira").status()).isEqualTo(200);
        Thread.sleep(2_000);

        int before = up.apiCalls.get();
        assertThat(proxy(httpB, "c-y").status()).isEqualTo(404);
        assertThat(up.apiCalls.get()).isEqualTo(before);
    }

    private static void importConnection(String id, String token) {
        Http.Res r = httpA.post("/connections", "{\"provider_config_key\":\"jira\",\"connection_id\":\"" + id + "\",\"credentials\":"
                + "{\"type\":\"OAUTH2\",\"access_token\":\"" + token + "\",\"refresh_token\":\"rt-" + token + "\","
                + "\"expires_at\":\"2099-01-01T00:00:00Z\"}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    private static Http.Res proxy(Http http, String connectionId) {
        return http.get("/proxy/rest/api/3/myself", "Provider-Config-Key", "jira", "Connection-Id", connectionId);
    }

    private static String bearerSeenUpstream(Http http, String connectionId) {
        Http.Res r = proxy(http, connectionId);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().at("/headers/Authorization").asText();
    }
}
