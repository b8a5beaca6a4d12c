package io.agcgateway.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import io.agcgateway.support.OutboundRoutes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AccessibleResourcesTest {
    private HttpServer server;
    private final AtomicReference<String> seenAuth = new AtomicReference<>();
    private OutboundRoutes routes;
    private AccessibleResources resources;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        reply("/down", 503, "{}");
        reply("/empty", 200, "[]");
        reply("/object", 200, "{\"id\":\"x\"}");
        reply("/sites", 200, "[{\"id\":\"a\",\"url\":\"https://acme.atlassian-us-gov-mod.net\"}]");
        OutboundRoutes.slow(server, "/slow", 3_000);
        OutboundRoutes.redirect(server, "/moved", 302, url("/sites"));
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        routes = new OutboundRoutes(Map.of("gateway.oauth.token-timeout", "1s"), "accessible-resources.camel.yaml");
        resources = new AccessibleResources(routes.call);
    }

    @AfterEach
    void stop() {
        routes.close();
        server.stop(0);
    }

    private void reply(String path, int status, String body) {
        server.createContext(path, x -> {
            seenAuth.set(x.getRequestHeaders().getFirst("Authorization"));
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(status, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Test
    void triesUrlsInOrder_untilOneAnswers2xx_withTheBearerToken() {
        AccessibleResources.Result r = resources.fetch(List.of(url("/down"), url("/sites")), "tok");
        assertThat(r.sites()).hasSize(1);
        assertThat(r.reason()).isEqualTo("ok");
        assertThat(seenAuth.get()).isEqualTo("Bearer tok");
    }

    @Test
    void emptyList_isReportedAsEmpty() {
        AccessibleResources.Result r = resources.fetch(List.of(url("/empty")), "tok");
        assertThat(r.sites()).isEmpty();
        assertThat(r.reason()).isEqualTo("empty");
    }

    @Test
    void allFailing_orNotAList_givesNoSites() {
        assertThat(resources.fetch(List.of(url("/down")), "tok")).isEqualTo(new AccessibleResources.Result(null, "http_503"));
        assertThat(resources.fetch(List.of(url("/object")), "tok").reason()).isEqualTo("not_a_list");
        int closed = io.agcgateway.support.TestGateway.freePort();
        assertThat(resources.fetch(List.of("http://127.0.0.1:" + closed + "/x"), "tok").reason()).isEqualTo("network_error");
        assertThat(resources.fetch(List.of("not a url"), "tok").reason()).isEqualTo("network_error");
    }

    @Test
    void slowSite_timesOutAtTheTokenTimeout_asATimeout() {
        assertThat(resources.fetch(List.of(url("/slow")), "tok")).isEqualTo(new AccessibleResources.Result(null, "timeout"));
    }

    @Test
    void redirect_isNotFollowed_withTheToken() {
        seenAuth.set(null);
        assertThat(resources.fetch(List.of(url("/moved")), "tok").reason()).isEqualTo("http_302");
        assertThat(seenAuth.get()).as("the redirect target never saw the bearer token").isNull();
    }
}
