package io.agcgateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.Gateway;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The catalog's proxy.headers and proxy.retry.after, end to end: real gateway, a real local provider that echoes. */
class CatalogProxyOptionsTest {
    static FakeUpstream up;
    static Gateway gw;
    static Http http;

    @BeforeAll
    static void boot() throws Exception {
        up = new FakeUpstream();
        Path catalog = Files.createTempFile("providers-proxy-options", ".yaml");
        Files.writeString(catalog, "with-headers:\n"
                + "    display_name: With headers\n"
                + "    auth_mode: OAUTH2\n"
                + "    authorization_url: " + up.base() + "/authorize\n"
                + "    token_url: " + up.base() + "/oauth/token\n"
                + "    proxy:\n"
                + "        base_url: " + up.base() + "/up\n"
                + "        headers:\n"
                + "            X-Atlassian-Token: no-check\n"
                + "            X-Cloud: 'cloud/${connectionConfig.cloudId}'\n"
                + "        retry:\n"
                + "            after: [x-wait-seconds]\n");
        gw = Gateway.start(TestGateway.with(TestGateway.settings(TestGateway.Store.H2), "gateway.providers", catalog.toString(),
                "gateway.sandbox", "false", "gateway.proxy.retry-base", "20ms"));
        http = new Http(gw.baseUrl(), gw.secretKey());
        assertThat(http.post("/integrations", "{\"unique_key\":\"hdr\",\"provider\":\"with-headers\",\"credentials\":{\"type\":\"OAUTH2\","
                + "\"client_id\":\"cid\",\"client_secret\":\"csecret\"}}").status()).isEqualTo(200);
        connection("c1", ",\"connection_config\":{\"cloudId\":\"cloud-123\"}");
        connection("no-cloud", "");
    }

    static void connection(String id, String config) {
        Http.Res r = http.post("/connections", "{\"provider_config_key\":\"hdr\",\"connection_id\":\"" + id + "\",\"credentials\":"
                + "{\"type\":\"OAUTH2\",\"access_token\":\"tok-1\",\"refresh_token\":\"rt-1\",\"expires_at\":\"2099-01-01T00:00:00Z\"}" + config + "}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    @AfterAll
    static void shutdown() {
        gw.close();
        up.close();
    }

    static Http.Res proxy(String connection, String path, String... headers) {
        String[] all = new String[headers.length + 4];
        System.arraycopy(new String[] {"Provider-Config-Key", "hdr", "Connection-Id", connection}, 0, all, 0, 4);
        System.arraycopy(headers, 0, all, 4, headers.length);
        return http.send("GET", path, null, all);
    }

    @Test
    void catalogHeaders_goUpstream_withConnectionConfigFilledIn_besideTheBearerToken() {
        Http.Res r = proxy("c1", "/proxy/rest/api/3/myself");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode h = r.json().get("headers");
        assertThat(h.get("X-atlassian-token").asText()).isEqualTo("no-check");
        assertThat(h.get("X-cloud").asText()).isEqualTo("cloud/cloud-123");
        assertThat(h.get("Authorization").asText()).isEqualTo("Bearer tok-1");
    }

    @Test
    void callersNangoProxyHeader_replacesTheCatalogsOfTheSameName() {
        Http.Res r = proxy("c1", "/proxy/rest/api/3/myself", "Nango-Proxy-X-Atlassian-Token", "caller-value");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().at("/headers/X-atlassian-token").asText()).isEqualTo("caller-value");
    }

    @Test
    void catalogHeaderNamingAMissingConnectionConfigValue_is400_andNothingIsSent() {
        int before = up.apiCalls.get();
        Http.Res r = proxy("no-cloud", "/proxy/rest/api/3/myself");
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().at("/error/code").asText()).isEqualTo("missing_connection_config");
        assertThat(r.body()).contains("X-Cloud").contains("connectionConfig.cloudId");
        assertThat(up.apiCalls.get()).isEqualTo(before);
    }

    @Test
    void retryAfterHeaderOfTheCatalog_setsTheWaitBeforeTheRetry() {
        up.faultStatus = 429;
        up.faultHeaders = Map.of("x-wait-seconds", "1");
        up.faultsLeft.set(1);
        long start = System.nanoTime();
        Http.Res r = proxy("c1", "/proxy/r", "Retries", "1");
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        // the exponential backoff alone (gateway.proxy.retry-base 20ms) would retry within ~20 ms
        assertThat(tookMs).isGreaterThanOrEqualTo(1_000);
    }
}
