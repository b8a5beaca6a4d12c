package io.agcgateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

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
 * Issue 12 item 3: a deleted, re-imported or re-authorised connection's old token is never used again by this node's
 * proxy (today's main keeps the cached token for gateway.proxy.token-cache-max-age, 60 s). The fake provider echoes
 * the bearer it received.
 */
class TokenAfterReplaceTest {
    static FakeUpstream up;
    static Gateway gw;
    static Http http;

    @BeforeAll
    static void boot() throws Exception {
        up = new FakeUpstream();
        gw = up.gateway();
        http = new Http(gw.baseUrl(), gw.secretKey());
    }

    @AfterAll
    static void shutdown() {
        gw.close();
        up.close();
    }

    @Test
    void deleteThenReimportUnderTheSameId_nextCallUsesTheNewToken() {
        importConnection("c-reimport", "tok-old");
        assertThat(bearerSeenUpstream("c-reimport")).isEqualTo("Bearer tok-old");

        assertThat(http.delete("/connection/c-reimport?provider_config_key=jira").status()).isEqualTo(200);
        Http.Res gone = proxy("c-reimport");
        assertThat(gone.status()).as(gone.toString()).isEqualTo(404);
        assertThat(gone.json().at("/error/code").asText()).isEqualTo("unknown_connection");

        importConnection("c-reimport", "tok-new");
        assertThat(bearerSeenUpstream("c-reimport")).isEqualTo("Bearer tok-new");
    }

    @Test
    void delete_nextCallIsRefusedWithoutReachingTheProvider() {
        importConnection("c-delete", "tok-d");
        assertThat(bearerSeenUpstream("c-delete")).isEqualTo("Bearer tok-d");
        int before = up.apiCalls.get();

        assertThat(http.delete("/connection/c-delete?provider_config_key=jira").status()).isEqualTo(200);
        assertThat(proxy("c-delete").status()).isEqualTo(404);
        assertThat(up.apiCalls.get()).isEqualTo(before);
    }

    @Test
    void reauthorisation_nextCallUsesTheNewToken() {
        importConnection("c-reauth", "tok-first");
        assertThat(bearerSeenUpstream("c-reauth")).isEqualTo("Bearer tok-first");

        // what the OAuth callback stores when the same connection id is authorised again (maybe by another person)
        TokenCipher cipher = gw.bean("tokenCipher", TokenCipher.class);
        long integrationId = gw.bean("integrationStore", IntegrationStore.class).find("jira").id();
        long now = System.currentTimeMillis();
        gw.bean("connectionStore", ConnectionStore.class).upsertAuthorized(NewConnection.builder(integrationId, "c-reauth")
                .accessTokenEnc(cipher.encrypt("tok-second", "access_token")).refreshTokenEnc(cipher.encrypt("rt-second", "refresh_token"))
                .expiresAt(now + 3_600_000).build(), now);
        assertThat(bearerSeenUpstream("c-reauth")).isEqualTo("Bearer tok-second");
    }

    private static void importConnection(String id, String token) {
        Http.Res r = http.post("/connections", "{\"provider_config_key\":\"jira\",\"connection_id\":\"" + id + "\",\"credentials\":"
                + "{\"type\":\"OAUTH2\",\"access_token\":\"" + token + "\",\"refresh_token\":\"rt-" + token + "\","
                + "\"expires_at\":\"2099-01-01T00:00:00Z\"}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    private static Http.Res proxy(String connectionId) {
        return http.get("/proxy/rest/api/3/myself", "Provider-Config-Key", "jira", "Connection-Id", connectionId);
    }

    private static String bearerSeenUpstream(String connectionId) {
        Http.Res r = proxy(connectionId);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().at("/headers/Authorization").asText();
    }
}
