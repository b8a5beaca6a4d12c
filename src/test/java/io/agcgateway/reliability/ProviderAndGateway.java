package io.agcgateway.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.Gateway;
import io.agcgateway.sandbox.SandboxAgc;
import io.agcgateway.support.FlowDriver;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.util.HashMap;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The provider (a gateway serving only the sandbox AGC) and the gateway under test, as two apps in this JVM.
 * Apart on purpose: a gateway proxying to its own sandbox needs two worker threads of one Vert.x pool per call,
 * so heavy concurrency would measure that pool's starvation instead of the gateway (see docs/RELIABILITY.md).
 * The gateway uses integration {@link #KEY} with the provider's sandbox client.
 */
final class ProviderAndGateway implements AutoCloseable {
    static final String KEY = "agc";
    final Gateway provider;
    final Gateway gateway;
    final SandboxAgc agc;
    final Http http;
    final Http providerHttp;
    final FlowDriver flow;
    final FlowDriver providerFlow;

    private ProviderAndGateway(Gateway provider, Gateway gateway) {
        this.provider = provider;
        this.gateway = gateway;
        this.agc = provider.bean("sandboxAgc", SandboxAgc.class);
        this.flow = new FlowDriver(gateway.baseUrl(), gateway.secretKey());
        this.http = flow.http;
        this.providerFlow = new FlowDriver(provider.baseUrl(), provider.secretKey());
        this.providerHttp = providerFlow.http;
    }

    /** gatewaySettings: TestGateway.settings(store) plus overrides; providerOverrides apply to the provider node. */
    static ProviderAndGateway start(Map<String, String> gatewaySettings, Map<String, String> providerOverrides) {
        Map<String, String> ps = new HashMap<>(TestGateway.settings(TestGateway.Store.H2));
        ps.putAll(providerOverrides);
        ps.put("gateway.sandbox.redirect-uris", gatewaySettings.get("gateway.public-url") + "/oauth/callback");
        Gateway provider = Gateway.start(ps);
        Map<String, String> gs = new HashMap<>(gatewaySettings);
        gs.put("gateway.sandbox.base-url", provider.baseUrl());
        Gateway gateway;
        try {
            gateway = Gateway.start(gs);
        } catch (RuntimeException e) {
            provider.close();
            throw e;
        }
        ProviderAndGateway pg = new ProviderAndGateway(provider, gateway);
        pg.createIntegration(KEY);
        return pg;
    }

    void createIntegration(String key) {
        var creds = providerHttp.get("/integrations/agc-sandbox?include=credentials").json().at("/data/credentials");
        Http.Res r = http.post("/integrations", "{\"unique_key\":\"" + key + "\",\"provider\":\"atlassian-government-cloud-sandbox\","
                + "\"credentials\":{\"type\":\"OAUTH2\",\"client_id\":\"" + creds.path("client_id").asText() + "\",\"client_secret\":\""
                + creds.path("client_secret").asText() + "\",\"scopes\":\"offline_access\"}}");
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
    }

    /** The whole OAuth flow for one end user; returns the connection id. */
    String connect(String endUser) {
        String token = flow.session(endUser, KEY);
        Http.Res c = flow.connect(KEY, token, null);
        assertThat(c.status()).as(c.toString()).isEqualTo(302);
        String callback = providerFlow.approve(c.header("Location"), null);
        Http.Res done = flow.abs(callback);
        assertThat(done.status()).as(done.toString()).isEqualTo(200);
        return flow.onlyConnection(endUser).path("connection_id").asText();
    }

    Http.Res proxyGet(String connectionId, String path, String... headers) {
        String[] all = new String[headers.length + 4];
        all[0] = "Provider-Config-Key";
        all[1] = KEY;
        all[2] = "Connection-Id";
        all[3] = connectionId;
        System.arraycopy(headers, 0, all, 4, headers.length);
        return http.send("GET", "/proxy/ex/jira/%7BconnectionConfig.cloudId%7D" + path, null, all);
    }

    /** POST /sandbox/_control on the provider. */
    void control(String json) {
        Http.Res r = providerHttp.post("/sandbox/_control", json);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    JdbcTemplate db() {
        return new JdbcTemplate(gateway.dataSource());
    }

    int leasedRows() {
        Integer n = db().queryForObject("SELECT COUNT(*) FROM connections WHERE lease_owner IS NOT NULL OR lease_until IS NOT NULL", Integer.class);
        return n == null ? 0 : n;
    }

    @Override
    public void close() {
        try {
            gateway.close();
        } finally {
            provider.close();
        }
    }
}
