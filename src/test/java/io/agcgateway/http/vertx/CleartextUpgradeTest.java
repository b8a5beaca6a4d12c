package io.agcgateway.http.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.Gateway;
import io.agcgateway.support.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A JDK HttpClient prefers HTTP/2 and asks for it on a cleartext connection's first request ("Upgrade: h2c"). With
 * Vert.x's h2c upgrade on, such a first request for an answer larger than one HTTP/2 frame (16 KB: /openapi.json,
 * 17.5 KB) now and then got no answer until the server's idle timeout closed the connection, with both event loops and
 * every worker idle (11 of 225 such requests over three gateways; none of 225 small /integrations answers). That is
 * how OpenApiDocumentTest, whose first request fetches /openapi.json, "hung" in a batch. The server must ignore the
 * upgrade and answer over HTTP/1.1.
 */
class CleartextUpgradeTest {
    private static Gateway gw;

    @BeforeAll
    static void boot() {
        gw = TestGateway.start(TestGateway.Store.H2);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void freshHttp2PreferringClients_areAnsweredOverHttp11_withoutStalling() throws Exception {
        for (int i = 0; i < 60; i++) {
            // a new client each time: a new connection whose first request carries the h2c upgrade
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(5)).build();
            String path = i % 4 == 3 ? "/integrations" : "/openapi.json";
            HttpRequest req = HttpRequest.newBuilder(URI.create(gw.baseUrl() + path)).header("Authorization", "Bearer " + gw.secretKey()).build();
            // not HttpRequest.timeout: the JDK client did not enforce it on the stalled upgrade
            HttpResponse<String> r = client.sendAsync(req, HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.version()).as("request " + i + " " + path).isEqualTo(HttpClient.Version.HTTP_1_1);
        }
    }
}
