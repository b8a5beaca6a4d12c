package io.agcgateway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.Gateway;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** What sandbox mode sets up at startup: integration agc-sandbox, its stored secret, the catalog's sandbox URLs. */
class SandboxInstallTest {

    @Test
    void install_createsIntegration_withSecretEncryptedInGatewayMeta() {
        try (Gateway gw = TestGateway.start(TestGateway.Store.H2)) {
            Http http = new Http(gw.baseUrl(), gw.secretKey());
            JsonNode data = http.get("/integrations/agc-sandbox?include=credentials").json().path("data");
            assertThat(data.path("provider").asText()).isEqualTo("atlassian-government-cloud-sandbox");
            assertThat(data.path("display_name").asText()).isEqualTo("AGC sandbox");
            JsonNode creds = data.path("credentials");
            assertThat(creds.path("client_id").asText()).isEqualTo("agc-sandbox-client");
            assertThat(creds.path("scopes").asText()).isEqualTo("read:jira-work,read:jira-user,offline_access");
            String secret = creds.path("client_secret").asText();
            assertThat(secret).hasSizeGreaterThanOrEqualTo(40);
            String stored = new JdbcTemplate(gw.dataSource())
                    .queryForObject("SELECT meta_value FROM gateway_meta WHERE meta_key = 'sandbox_client_secret'", String.class);
            assertThat(stored).startsWith("v1:").doesNotContain(secret);
            SandboxAgc agc = gw.context().getRegistry().lookupByNameAndType("sandboxAgc", SandboxAgc.class);
            assertThat(agc.client("agc-sandbox-client")).get().extracting(SandboxAgc.Client::clientSecret).isEqualTo(secret);
        }
    }

    @Test
    void restart_recreatesDeletedIntegration_keepsEditedOne_andKeepsTheSecret() {
        Map<String, String> settings = TestGateway.settings(TestGateway.Store.H2);
        String secret;
        try (Gateway gw = Gateway.start(settings)) {
            Http http = new Http(gw.baseUrl(), gw.secretKey());
            secret = http.get("/integrations/agc-sandbox?include=credentials").json().path("data").path("credentials").path("client_secret").asText();
            assertThat(http.delete("/integrations/agc-sandbox").status()).isBetween(200, 204);
        }
        try (Gateway gw = Gateway.start(settings)) {
            Http http = new Http(gw.baseUrl(), gw.secretKey());
            JsonNode creds = http.get("/integrations/agc-sandbox?include=credentials").json().path("data").path("credentials");
            assertThat(creds.path("client_secret").asText()).as("same secret after restart").isEqualTo(secret);
            Http.Res patched = http.patch("/integrations/agc-sandbox", "{\"display_name\":\"Mine\"}");
            assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        }
        try (Gateway gw = Gateway.start(settings)) {
            Http http = new Http(gw.baseUrl(), gw.secretKey());
            assertThat(http.get("/integrations/agc-sandbox").json().path("data").path("display_name").asText()).isEqualTo("Mine");
        }
    }

    @Test
    void baseUrl_replacesPublicUrlInTheSandboxProviderOnly() {
        Map<String, String> settings = TestGateway.with(TestGateway.settings(TestGateway.Store.H2),
                "gateway.sandbox.base-url", "http://node1.example:3003/");
        try (Gateway gw = Gateway.start(settings)) {
            Http http = new Http(gw.baseUrl(), gw.secretKey());
            JsonNode p = http.get("/providers/atlassian-government-cloud-sandbox").json().path("data");
            assertThat(p.path("token_url").asText()).isEqualTo("http://node1.example:3003/sandbox/oauth/token");
            assertThat(p.path("authorization_url").asText()).isEqualTo("http://node1.example:3003/sandbox/authorize");
            assertThat(p.path("proxy").path("base_url").asText()).isEqualTo("http://node1.example:3003/sandbox");
            assertThat(p.path("callback_url").asText()).isEqualTo(gw.settings().publicUrl() + "/oauth/callback");
        }
    }

    @Test
    void sandboxOff_servesNothingUnderSandbox() {
        try (Gateway gw = Gateway.start(TestGateway.with(TestGateway.settings(TestGateway.Store.H2), "gateway.sandbox", "false"))) {
            Http http = new Http(gw.baseUrl(), gw.secretKey());
            assertThat(http.get("/sandbox/_stats").status()).isEqualTo(404);
            assertThat(new io.agcgateway.integrations.IntegrationStore(gw.dataSource()).find("agc-sandbox")).isNull();
            assertThat(gw.context().getRegistry().lookupByName("sandboxAgc")).isNull();
        }
    }
}
