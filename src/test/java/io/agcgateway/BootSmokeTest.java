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
            assertThat(r.status()).isEqualTo(200);
            Http.Res h = http.get("/observe/health");
            assertThat(h.status()).isEqualTo(200);
            assertThat(h.body()).contains("\"name\":\"database\"");
            Http.Res ready = http.get("/observe/health/ready");
            assertThat(ready.status()).as(ready.body()).isEqualTo(200);
            Http.Res m = http.get("/observe/metrics");
            assertThat(m.status()).isEqualTo(200);
            assertThat(m.body()).contains("camel_exchanges");
        }
    }
}
