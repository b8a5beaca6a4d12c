package io.agcgateway.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.agcgateway.Gateway;
import io.agcgateway.support.FlowDriver;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The catalog's token_request_auth_method and disable_pkce, end to end: the real gateway connects and refreshes
 * against a real local token endpoint that records what reaches it (authorization and callback driven over HTTP).
 */
class CatalogTokenRequestTest {
    record Seen(String authorization, Map<String, String> form) {
    }

    static final LinkedBlockingQueue<Seen> SEEN = new LinkedBlockingQueue<>();
    static HttpServer tokenEndpoint;
    static Gateway gw;
    static FlowDriver flow;
    static int users;

    @BeforeAll
    static void boot() throws Exception {
        tokenEndpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        tokenEndpoint.createContext("/oauth/token", CatalogTokenRequestTest::token);
        tokenEndpoint.start();
        String tokenUrl = "http://127.0.0.1:" + tokenEndpoint.getAddress().getPort() + "/oauth/token";
        StringBuilder yaml = new StringBuilder();
        for (String[] p : new String[][] {{"basic-no-pkce", "    token_request_auth_method: basic\n    disable_pkce: true\n"},
                {"nango-defaults", ""}}) {
            yaml.append(p[0]).append(":\n    display_name: ").append(p[0]).append("\n    auth_mode: OAUTH2\n")
                    .append("    authorization_url: http://127.0.0.1:9/authorize\n    token_url: ").append(tokenUrl).append('\n')
                    .append(p[1]).append("    proxy: {base_url: 'http://127.0.0.1:9'}\n");
        }
        Path catalog = Files.createTempFile("providers-token-request", ".yaml");
        Files.writeString(catalog, yaml);
        gw = Gateway.start(TestGateway.with(TestGateway.settings(TestGateway.Store.H2), "gateway.providers", catalog.toString(),
                "gateway.sandbox", "false"));
        flow = new FlowDriver(gw.baseUrl(), gw.secretKey());
        for (String provider : new String[] {"basic-no-pkce", "nango-defaults"}) {
            Http.Res r = flow.http.post("/integrations", "{\"unique_key\":\"" + provider + "\",\"provider\":\"" + provider
                    + "\",\"credentials\":{\"type\":\"OAUTH2\",\"client_id\":\"app:1\",\"client_secret\":\"s3cret\",\"scopes\":\"offline_access\"}}");
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
        }
    }

    @AfterAll
    static void stop() {
        gw.close();
        tokenEndpoint.stop(0);
    }

    @BeforeEach
    void clear() {
        SEEN.clear();
    }

    private static void token(HttpExchange ex) throws IOException {
        Map<String, String> form = new LinkedHashMap<>();
        for (String kv : new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
            String[] p = kv.split("=", 2);
            form.put(URLDecoder.decode(p[0], StandardCharsets.UTF_8), URLDecoder.decode(p[1], StandardCharsets.UTF_8));
        }
        SEEN.add(new Seen(ex.getRequestHeaders().getFirst("Authorization"), form));
        byte[] b = ("{\"access_token\":\"at-" + System.nanoTime() + "\",\"refresh_token\":\"rt-" + System.nanoTime()
                + "\",\"expires_in\":3600,\"token_type\":\"Bearer\"}").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    /** Connect, then the provider's redirect back with a code; returns the authorize URL's query. */
    private static Map<String, String> connect(String integration, String endUser) {
        Http.Res c = flow.connect(integration, flow.session(endUser), null);
        assertThat(c.status()).as(c.toString()).isEqualTo(302);
        Map<String, String> authorize = FlowDriver.query(c.header("Location"));
        Http.Res page = flow.browser.get("/oauth/callback?state=" + authorize.get("state") + "&code=code-" + endUser);
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        return authorize;
    }

    private static void forceRefresh(String integration, String endUser) {
        String id = flow.onlyConnection(endUser).path("connection_id").asText();
        Http.Res r = flow.http.get("/connections/" + id + "?provider_config_key=" + integration + "&force_refresh=true");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    private static Seen next() throws InterruptedException {
        Seen s = SEEN.poll(5, TimeUnit.SECONDS);
        assertThat(s).as("a request reached the token endpoint").isNotNull();
        return s;
    }

    @Test
    void basicAuthMethod_sendsClientCredentialsAsHttpBasic_onCodeExchangeAndRefresh() throws Exception {
        String user = "basic-" + (++users);
        connect("basic-no-pkce", user);
        String basic = "Basic " + Base64.getEncoder().encodeToString("app%3A1:s3cret".getBytes(StandardCharsets.UTF_8));
        Seen exchange = next();
        assertThat(exchange.form()).containsEntry("grant_type", "authorization_code").containsEntry("code", "code-" + user)
                .doesNotContainKeys("client_id", "client_secret");
        assertThat(exchange.authorization()).isEqualTo(basic);

        forceRefresh("basic-no-pkce", user);
        Seen refresh = next();
        assertThat(refresh.form()).containsEntry("grant_type", "refresh_token").doesNotContainKeys("client_id", "client_secret");
        assertThat(refresh.authorization()).isEqualTo(basic);
    }

    @Test
    void disablePkce_sendsNoChallengeToAuthorize_andNoVerifierToTheTokenEndpoint() throws Exception {
        Map<String, String> authorize = connect("basic-no-pkce", "nopkce-" + (++users));
        assertThat(authorize).containsKey("state").doesNotContainKeys("code_challenge", "code_challenge_method");
        assertThat(next().form()).containsKey("code").doesNotContainKey("code_verifier");
    }

    @Test
    void withoutEitherKey_credentialsGoInTheForm_andPkceIsS256() throws Exception {
        String user = "defaults-" + (++users);
        Map<String, String> authorize = connect("nango-defaults", user);
        Seen exchange = next();
        assertThat(exchange.authorization()).isNull();
        assertThat(exchange.form()).containsEntry("client_id", "app:1").containsEntry("client_secret", "s3cret");
        assertThat(authorize).containsEntry("code_challenge_method", "S256")
                .containsEntry("code_challenge", Secrets.s256(exchange.form().get("code_verifier")));

        forceRefresh("nango-defaults", user);
        Seen refresh = next();
        assertThat(refresh.authorization()).isNull();
        assertThat(refresh.form()).containsEntry("client_id", "app:1").containsEntry("client_secret", "s3cret");
    }
}
