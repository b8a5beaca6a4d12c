package io.agcgateway.proxy;

import io.agcgateway.Gateway;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.integrations.Integration;
import io.agcgateway.integrations.IntegrationStore;
import io.agcgateway.support.TestGateway;

/** A gateway in its own small-heap JVM for ProxyLargeBodyTest: args = catalog file, port. Prints READY. */
public final class ProxyMemoryMain {
    private ProxyMemoryMain() {
    }

    public static void main(String[] args) throws Exception {
        var s = TestGateway.settings(TestGateway.Store.H2);
        s.put("gateway.providers", args[0]);
        s.put("gateway.sandbox", "false");
        s.put("gateway.port", args[1]);
        s.put("gateway.public-url", "http://127.0.0.1:" + args[1]);
        s.put("gateway.secret-key", "5b0b8a3e-2f4c-4d7a-9e1f-0c2d3e4f5a6b");
        s.put("gateway.proxy.idle-timeout", "120s");
        Gateway gw = Gateway.start(s);
        TokenCipher cipher = gw.bean("tokenCipher", TokenCipher.class);
        IntegrationStore integrations = gw.bean("integrationStore", IntegrationStore.class);
        long now = System.currentTimeMillis();
        integrations.insert(new Integration(0, "jira", "test-upstream", "Jira", "cid", cipher.encrypt("x", "client_secret"), null, null,
                false, now, now));
        gw.bean("connectionStore", io.agcgateway.connections.ConnectionStore.class).insert(io.agcgateway.connections.NewConnection.builder(integrations.find("jira").id(), "u1")
                .accessTokenEnc(cipher.encrypt("tok-1", "access_token")).refreshTokenEnc(cipher.encrypt("rt", "refresh_token"))
                .expiresAt(now + 3_600_000).build(), now);
        System.out.println("READY");
        System.out.flush();
        Thread.currentThread().join();
    }
}
