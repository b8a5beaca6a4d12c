package io.agcgateway.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.agcgateway.support.OutboundRoutes;
import io.agcgateway.support.TestGateway;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** tokenClient through the real route token-endpoint (camel-http) against a real local HTTP server. */
class TokenEndpointRouteTest {
    private HttpServer server;
    private OutboundRoutes routes;
    private TokenClient client;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger tokenCalls = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/token", x -> {
            tokenCalls.incrementAndGet();
            String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(x.getRequestMethod() + " ct=" + x.getRequestHeaders().getFirst("Content-Type") + " ua="
                    + x.getRequestHeaders().getFirst("User-Agent") + " cookie=" + x.getRequestHeaders().getFirst("Cookie") + " " + body);
            boolean revoked = body.contains("refresh_token=revoked");
            byte[] b = (revoked ? "{\"error\":\"invalid_grant\"}" : "{\"access_token\":\"at-1\",\"refresh_token\":\"rt-2\",\"expires_in\":3600}")
                    .getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.getResponseHeaders().add("Set-Cookie", "lb=node-7; Path=/");
            x.sendResponseHeaders(revoked ? 400 : 200, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        OutboundRoutes.slow(server, "/slow", 3_000);
        OutboundRoutes.redirect(server, "/moved", 307, url("/token"));
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        routes = new OutboundRoutes(Map.of("gateway.oauth.token-timeout", "1s"), "token-endpoint.camel.yaml");
        client = new TokenClient(routes.call);
    }

    @AfterEach
    void stop() {
        routes.close();
        server.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private static Map<String, String> form(String refreshToken) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("grant_type", "refresh_token");
        f.put("refresh_token", refreshToken);
        f.put("client_secret", "s&cret=1");
        return f;
    }

    @Test
    void refresh_postsTheFormAsWritten_andReadsTheTokens() {
        TokenResponse r = client.post(url("/token"), form("rt-1"), Map.of());
        assertThat(r.kind()).isEqualTo(TokenResponse.Kind.OK);
        assertThat(r.accessToken()).isEqualTo("at-1");
        assertThat(r.refreshToken()).isEqualTo("rt-2");
        assertThat(requests).singleElement().asString()
                .startsWith("POST ct=application/x-www-form-urlencoded")
                .contains("ua=agc-gateway/")
                .endsWith("grant_type=refresh_token&refresh_token=rt-1&client_secret=s%26cret%3D1");
    }

    @Test
    void invalidGrant_throughTheRoute_isRejected() {
        TokenResponse r = client.post(url("/token"), form("revoked"), Map.of());
        assertThat(r.kind()).isEqualTo(TokenResponse.Kind.REJECTED);
        assertThat(r.error()).isEqualTo("invalid_grant");
        assertThat(r.httpStatus()).isEqualTo(400);
    }

    @Test
    void providerCookie_isNeverSentBack_onTheNextTokenRequest() {
        client.post(url("/token"), form("rt-1"), Map.of());
        client.post(url("/token"), form("rt-2"), Map.of());
        assertThat(requests).hasSize(2).allSatisfy(r -> assertThat(r).contains("cookie=null"));
    }

    @Test
    void slowEndpoint_isTransient_atTheTokenTimeout() {
        TokenResponse r = client.post(url("/slow"), form("rt-1"), Map.of());
        assertThat(r.kind()).isEqualTo(TokenResponse.Kind.UNAVAILABLE);
        assertThat(r.error()).isEqualTo("timeout");
    }

    @Test
    void unreachableEndpoint_isTransient_asANetworkError() {
        TokenResponse r = client.post("http://127.0.0.1:" + TestGateway.freePort() + "/token", form("rt-1"), Map.of());
        assertThat(r.kind()).isEqualTo(TokenResponse.Kind.UNAVAILABLE);
        assertThat(r.error()).isEqualTo("network_error");
        assertThat(r.reason()).doesNotContain("rt-1");
    }

    @Test
    void redirect_isNotFollowed_withTheRefreshTokenInTheBody() {
        TokenResponse r = client.post(url("/moved"), form("rt-1"), Map.of());
        assertThat(r.kind()).isEqualTo(TokenResponse.Kind.UNAVAILABLE);
        assertThat(r.httpStatus()).isEqualTo(307);
        assertThat(tokenCalls).as("the redirect target never got the form").hasValue(0);
    }
}
