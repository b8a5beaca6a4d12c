package io.agcgateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import org.junit.jupiter.api.Test;

class BootSmokeTest {
    @Test
    void bootsAndServesIntegrationsAndHealth() {
        try (Gateway gw = TestGateway.start(TestGateway.Store.H2)) {
            Http http = new Http(gw.baseUrl(), gw.secretKey());
            Http.Res r = http.get("/integrations");
            System.out.println("integrations: " + r + " headers " + r.headers().map());
            assertThat(r.status()).isEqualTo(200);
            Http.Res h = http.get("/observe/health");
            System.out.println("health: " + h);
            Http.Res m = http.get("/observe/metrics");
            System.out.println("metrics: " + m.status() + " " + m.body().length());
        }
    }
}
