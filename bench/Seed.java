import io.agcgateway.Gateway;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.connections.NewConnection;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.integrations.Integration;
import io.agcgateway.integrations.IntegrationStore;
import java.util.HashMap;
import java.util.Map;

/**
 * Benchmark launcher: starts the gateway from the shaded jar (java -cp target/agc-gateway.jar bench/Seed.java),
 * then puts one integration and one connection straight into the store (no OAuth app or consent needed), prints
 * READY and keeps serving. Settings come from the usual GATEWAY_* env vars.
 */
public class Seed {
    public static void main(String[] args) throws Exception {
        Map<String, String> none = new HashMap<>();
        Gateway gw = Gateway.start(none);
        Runtime.getRuntime().addShutdownHook(new Thread(gw::close));
        TokenCipher cipher = gw.bean("tokenCipher", TokenCipher.class);
        IntegrationStore integrations = gw.bean("integrationStore", IntegrationStore.class);
        long now = System.currentTimeMillis();
        if (integrations.find("bench") == null) {
            integrations.insert(new Integration(0, "bench", "bench-upstream", "Bench", "cid",
                    cipher.encrypt("secret", "client_secret"), null, null, false, now, now));
        }
        ConnectionStore store = gw.bean("connectionStore", ConnectionStore.class);
        if (store.find("bench", "c1") == null) {
            store.insert(NewConnection.builder(integrations.find("bench").id(), "c1")
                    .accessTokenEnc(cipher.encrypt("bench-token", "access_token"))
                    .refreshTokenEnc(cipher.encrypt("bench-refresh", "refresh_token")).expiresAt(now + 86_400_000L)
                    .connectionConfig("{\"cloudId\":\"cloud-1\"}").build(), now);
        }
        System.out.println("READY pid=" + ProcessHandle.current().pid());
        Thread.currentThread().join();
    }
}
