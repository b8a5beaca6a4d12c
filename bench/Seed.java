import io.agcgateway.Gateway;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.integrations.Integration;
import io.agcgateway.integrations.IntegrationStore;
import java.util.HashMap;
import java.util.Map;

/**
 * Benchmark launcher: starts the gateway from the shaded jar (java -cp target/agc-gateway.jar bench/Seed.java),
 * then imports one integration and one connection straight into the store (POST /connections is not on this
 * branch yet), prints READY and keeps serving. Settings come from the usual GATEWAY_* env vars.
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
            store.insert(integrations.find("bench").id(), "c1", cipher.encrypt("bench-token", "access_token"),
                    cipher.encrypt("bench-refresh", "refresh_token"), null, now + 86_400_000L, "{\"cloudId\":\"cloud-1\"}",
                    null, null, null, null, null, now);
        }
        System.out.println("READY pid=" + ProcessHandle.current().pid());
        Thread.currentThread().join();
    }
}
