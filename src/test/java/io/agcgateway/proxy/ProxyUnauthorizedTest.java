package io.agcgateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.Gateway;
import io.agcgateway.connections.Connection;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.connections.NewConnection;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.integrations.IntegrationStore;
import io.agcgateway.support.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Upstream 401s and refresh-token rotations (default gateway.proxy.refresh-on-401-min-age = 60 s): Atlassian answers
 * 401 for a missing scope too, so a poller must not spend a rotation of the family on every call.
 */
class ProxyUnauthorizedTest {
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

    /** A connection whose token was issued {@code ageMs} ago. */
    static void connection(String id, String token, long ageMs) {
        TokenCipher cipher = gw.bean("tokenCipher", TokenCipher.class);
        long issued = System.currentTimeMillis() - ageMs;
        gw.bean("connectionStore", ConnectionStore.class).insert(NewConnection.builder(gw.bean("integrationStore", IntegrationStore.class).find("jira").id(), id)
                .accessTokenEnc(cipher.encrypt(token, "access_token")).refreshTokenEnc(cipher.encrypt("rt-" + token, "refresh_token"))
                .expiresAt(System.currentTimeMillis() + 3_600_000).build(), issued);
    }

    static Http.Res call(String id, String path) {
        return http.send("GET", path, null, "Provider-Config-Key", "jira", "Connection-Id", id);
    }

    @Test
    void hundredCallsToAnEndpointOutsideTheScopes_costAtMostOneRotation_andEveryCallerGetsThe401() {
        connection("poller", "tok-1", 2 * 3_600_000);
        int before = up.refreshCalls.get();
        for (int i = 0; i < 100; i++) {
            Http.Res r = call("poller", "/proxy/rest/api/3/_noscope");
            assertThat(r.status()).as(r.body()).isEqualTo(401);
            assertThat(r.body()).contains("scope does not match");
        }
        assertThat(up.refreshCalls.get() - before).as("refresh-token rotations for 100 calls").isEqualTo(1);
    }

    @Test
    void a401OnAJustIssuedToken_isRelayed_withoutARefresh() {
        connection("young", "tok-young", 1_000);
        int before = up.refreshCalls.get();
        up.validToken.set("something-else");
        Http.Res r = call("young", "/proxy/_checked/x");
        assertThat(r.status()).isEqualTo(401);
        assertThat(up.refreshCalls.get()).isEqualTo(before);
    }

    @Test
    void a401OnAnOldToken_refreshesOnce_andReplays() {
        connection("old", "tok-old", 3_600_000);
        int before = up.refreshCalls.get();
        up.validToken.set("rotated");
        Http.Res r = call("old", "/proxy/_checked/x");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(up.refreshCalls.get() - before).isEqualTo(1);
    }

    @Test
    void a401WhileAnotherNodeAlreadyRotated_usesTheRowsNewerToken_withoutSpendingARotation() {
        connection("rotated", "tok-a", 1_000);
        assertThat(call("rotated", "/proxy/warm").status()).isEqualTo(200); // tok-a cached in memory
        ConnectionStore store = gw.bean("connectionStore", ConnectionStore.class);
        Connection row = store.find("jira", "rotated");
        TokenCipher cipher = gw.bean("tokenCipher", TokenCipher.class);
        // another node refreshes: it takes the lease and stores a new pair in the row (version + 1)
        long now = System.currentTimeMillis();
        assertThat(store.tryLease(row.id(), "node-b", now, now + 30_000)).isTrue();
        assertThat(store.storeRefreshed(row.id(), "node-b", cipher.encrypt("tok-b", "access_token"),
                cipher.encrypt("rt-tok-b", "refresh_token"), true, null, now + 3_600_000, now)).isTrue();
        up.validToken.set("tok-b");
        int before = up.refreshCalls.get();
        Http.Res r = call("rotated", "/proxy/_checked/x");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(up.refreshCalls.get()).isEqualTo(before);
    }
}
