package io.agcgateway.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AccessibleResourcesTest {
    private HttpServer server;
    private final AtomicReference<String> seenAuth = new AtomicReference<>();
    private final AccessibleResources resources = new AccessibleResources(Duration.ofSeconds(2), Duration.ofSeconds(2));

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        reply("/down", 503, "{}");
        reply("/empty", 200, "[]");
        reply("/object", 200, "{\"id\":\"x\"}");
        reply("/sites", 200, "[{\"id\":\"a\",\"url\":\"https://acme.atlassian-us-gov-mod.net\"}]");
        server.start();
    }

    @AfterEach
    void stop() {
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
    }
}
