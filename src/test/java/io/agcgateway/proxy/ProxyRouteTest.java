package io.agcgateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.Gateway;
import io.agcgateway.connections.Connection;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.connections.NewConnection;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.integrations.Integration;
import io.agcgateway.integrations.IntegrationStore;
import io.agcgateway.logs.OperationLog;
import io.agcgateway.metrics.GatewayMetrics;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The proxy route end to end: real gateway, real HTTP, a fake provider that counts what reaches it. */
class ProxyRouteTest {
    static FakeUpstream up;
    static Gateway gw;
    static Http http;
    static int closedPort;

    @BeforeAll
    static void boot() throws Exception {
        up = new FakeUpstream();
        closedPort = TestGateway.freePort();
        Path catalog = Files.createTempFile("providers-test", ".yaml");
        Files.writeString(catalog, up.catalogYaml(closedPort));
        gw = Gateway.start(TestGateway.with(TestGateway.settings(TestGateway.Store.H2), "gateway.providers", catalog.toString(),
                "gateway.sandbox", "false", "gateway.proxy.idle-timeout", "2s", "gateway.proxy.retry-base", "20ms",
                "gateway.proxy.refresh-on-401-min-age", "0s"));
        http = new Http(gw.baseUrl(), gw.secretKey());
        TokenCipher cipher = gw.bean("tokenCipher", TokenCipher.class);
        IntegrationStore integrations = gw.bean("integrationStore", IntegrationStore.class);
        long now = System.currentTimeMillis();
        integrations.insert(new Integration(0, "jira", "test-upstream", "Jira", "cid", cipher.encrypt("csecret", "client_secret"),
                null, null, false, now, now));
        integrations.insert(new Integration(0, "other", "test-upstream", "Other", "cid", cipher.encrypt("csecret", "client_secret"),
                null, null, false, now, now));
        connection("jira", "u1", "tok-1", now + 3_600_000);
        connection("other", "only-other", "tok-1", now + 3_600_000);
    }

    static void connection(String integration, String id, String token, long expiresAt) {
        TokenCipher cipher = gw.bean("tokenCipher", TokenCipher.class);
        long integrationId = gw.bean("integrationStore", IntegrationStore.class).find(integration).id();
        ConnectionStore store = gw.bean("connectionStore", ConnectionStore.class);
        Connection old = store.find(integration, id);
        if (old != null) {
            store.delete(old, System.currentTimeMillis());
        }
        store.insert(NewConnection.builder(integrationId, id).accessTokenEnc(cipher.encrypt(token, "access_token"))
                .refreshTokenEnc(cipher.encrypt("rt-" + token, "refresh_token")).expiresAt(expiresAt)
                .connectionConfig("{\"cloudId\":\"cloud-123\",\"site\":{\"name\":\"acme\"}}").build(), System.currentTimeMillis());
    }

    @AfterAll
    static void shutdown() {
        gw.close();
        up.close();
    }

    @BeforeEach
    void reset() {
        up.faultsLeft.set(0);
        up.faultHeaders = Map.of();
        up.rejectRefresh = false;
        up.validToken.set("tok-1");
    }

    static Http.Res proxy(String method, String path, String body, String... headers) {
        List<String> h = new ArrayList<>(List.of("Provider-Config-Key", "jira", "Connection-Id", "u1"));
        h.addAll(List.of(headers));
        return http.send(method, path, body, h.toArray(new String[0]));
    }

    @Test
    void get_forwardsBearerToken_pathPlaceholders_andRawQuery() {
        Http.Res r = proxy("GET", "/proxy/ex/jira/%7BconnectionConfig.cloudId%7D/rest/api/3/search?jql=project%20%3D%20X&maxResults=10&x=a+b",
                null, "Base-Url-Override", "", "Nango-Activity-Log-Id", "", "Nango-Is-Sync", "false", "Nango-Proxy-X-Atlassian-Token", "no-check",
                "Cookie", "session=1", "Retries", "0", "Accept", "application/json");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode j = r.json();
        assertThat(j.get("path").asText()).isEqualTo("/up/ex/jira/cloud-123/rest/api/3/search");
        assertThat(j.get("query").asText()).isEqualTo("jql=project%20%3D%20X&maxResults=10&x=a+b");
        JsonNode h = j.get("headers");
        assertThat(h.get("Authorization").asText()).isEqualTo("Bearer tok-1");
        assertThat(h.get("X-atlassian-token").asText()).isEqualTo("no-check");
        assertThat(h.get("Accept").asText()).isEqualTo("application/json");
        // the caller's client library (Java-http-client here) is not named upstream: the gateway is (issue 12 item 11)
        assertThat(h.get("User-agent").asText()).isEqualTo(io.agcgateway.http.Version.USER_AGENT);
        for (String gone : List.of("Cookie", "Provider-config-key", "Connection-id", "Base-url-override", "Nango-is-sync",
                "Nango-activity-log-id", "Retries", "Accept-encoding")) {
            assertThat(h.has(gone)).as(gone).isFalse();
        }
        assertThat(r.header("X-Upstream")).isEqualTo("fake");
        assertThat(r.header("Transfer-Encoding") != null && r.header("Content-Length") != null).isFalse();
    }

    @Test
    void nangoProxyUserAgent_replacesTheGatewaysOwn() {
        Http.Res r = proxy("GET", "/proxy/ex/jira/%7BconnectionConfig.cloudId%7D/rest/api/3/myself", null,
                "Nango-Proxy-User-Agent", "acme-app/2.1", "Retries", "0");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().at("/headers/User-agent").asText()).isEqualTo("acme-app/2.1");
    }

    @Test
    void multipartBody_isForwardedByteForByte_withItsBoundary() {
        String body = "--b0undary\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\nhello\r\n"
                + "--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\n"
                + "line1\r\nline2\r\n--b0undary--\r\n";
        Http.Res r = proxy("POST", "/proxy/rest/api/3/issue/AGC-1/attachments", body,
                "Content-Type", "multipart/form-data; boundary=b0undary", "Nango-Proxy-X-Atlassian-Token", "no-check");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode j = r.json();
        assertThat(j.get("body").asText()).isEqualTo(body);
        assertThat(j.at("/headers/Content-type").asText()).isEqualTo("multipart/form-data; boundary=b0undary");
        assertThat(j.at("/headers/X-atlassian-token").asText()).isEqualTo("no-check");
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP_1_1", "HTTP_2"})
    void chunkedMultipartUpload_isForwardedWhole(String version) throws Exception {
        // no Content-Length: the body is spooled, then sent upstream with its length (Vert.x pipes it chunked)
        byte[] part = "x".repeat(300_000).getBytes(StandardCharsets.US_ASCII);
        String head = "--zz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\r\n";
        String tail = "\r\n--zz--\r\n";
        HttpRequest req = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/proxy/upload"))
                .header("Authorization", "Bearer " + gw.secretKey()).header("Provider-Config-Key", "jira").header("Connection-Id", "u1")
                .header("Content-Type", "multipart/form-data; boundary=zz")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.SequenceInputStream(java.util.Collections.enumeration(List.of(
                        new java.io.ByteArrayInputStream(head.getBytes(StandardCharsets.US_ASCII)), new java.io.ByteArrayInputStream(part),
                        new java.io.ByteArrayInputStream(tail.getBytes(StandardCharsets.US_ASCII)))))))
                .build();
        // a fresh client: its first request is the one that tries the h2c upgrade (HTTP_2), whose body Vert.x
        // delivers on an upgraded stream; HTTP_1_1 sends it chunked
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.valueOf(version)).build();
        HttpResponse<String> res = client.send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(res.body());
        assertThat(j.get("bodyLength").asLong()).isEqualTo(head.length() + part.length + tail.length());
        assertThat(j.at("/headers/Content-type").asText()).isEqualTo("multipart/form-data; boundary=zz");
    }

    @Test
    void rejectedCallWithAnUnreadBody_keepsTheConnectionUsable() throws Exception {
        // a wrong key answers 401 before the body is read: the body must be dropped, not left to stall the next request
        String body = "{\"a\":\"" + "x".repeat(200_000) + "\"}";
        int before = up.apiCalls.get();
        try (Socket s = new Socket("127.0.0.1", java.net.URI.create(gw.baseUrl()).getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /proxy/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong-key\r\nProvider-Config-Key: jira\r\n"
                    + "Connection-Id: u1\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(("GET /proxy/after HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + gw.secretKey() + "\r\nProvider-Config-Key: jira\r\n"
                    + "Connection-Id: u1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String both = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(both).startsWith("HTTP/1.1 401");
            assertThat(both).contains("HTTP/1.1 200").contains("/up/after");
        }
        assertThat(up.apiCalls.get()).isEqualTo(before + 1);
        assertThat(ProxyBody.open()).as("body streams left open").isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"chunked", "content-length"})
    void callerGoneMidUpload_upstreamNeverGetsACompleteLookingBody(String framing) throws Exception {
        String path = "/proxy/cut-" + framing;
        try (Socket s = new Socket("127.0.0.1", java.net.URI.create(gw.baseUrl()).getPort())) {
            OutputStream out = s.getOutputStream();
            String head = "POST " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + gw.secretKey() + "\r\nProvider-Config-Key: jira\r\n"
                    + "Connection-Id: u1\r\nContent-Type: application/octet-stream\r\n";
            // chunked is spooled before the call; a Content-Length body above the replay limit is piped as it arrives
            out.write((framing.equals("chunked")
                    ? head + "Transfer-Encoding: chunked\r\n\r\n10000\r\n" + "y".repeat(0x10000) + "\r\n"
                    : head + "Content-Length: 300000\r\n\r\n" + "y".repeat(0x10000)).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(500); // the gateway has started the upstream call with the first chunk
        } // the caller goes away without the last chunk
        long end = System.currentTimeMillis() + 10_000;
        while (ProxyBody.open() > 0 && System.currentTimeMillis() < end) {
            Thread.sleep(50);
        }
        assertThat(ProxyBody.open()).as("body streams left open").isZero();
        Thread.sleep(500);
        assertThat(up.completeBodies).doesNotContain("/up" + path.substring("/proxy".length()));
        // and the proxy still serves
        assertThat(proxy("GET", "/proxy/after-cut", null).status()).isEqualTo(200);
    }

    @Test
    void expect100Continue_isAnswered_beforeTheBodyIsSent() throws Exception {
        String body = "{\"expect\":true}";
        try (Socket s = new Socket("127.0.0.1", java.net.URI.create(gw.baseUrl()).getPort())) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /proxy/continued HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + gw.secretKey() + "\r\nProvider-Config-Key: jira\r\n"
                    + "Connection-Id: u1\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " + body.length()
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] interim = new byte["HTTP/1.1 100 Continue\r\n\r\n".length()];
            int n = 0;
            while (n < interim.length) {
                int r = in.read(interim, n, interim.length - n); // times out (test fails) if the gateway waits for the body
                assertThat(r).as("gateway closed before 100 Continue").isPositive();
                n += r;
            }
            assertThat(new String(interim, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
            out.write(body.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String rest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(rest).startsWith("HTTP/1.1 200").contains("\"body\":\"{\\\"expect\\\":true}\"");
        }
    }

    @Test
    void dollarPlaceholders_rawAndEncoded_areFilled() {
        assertThat(proxy("GET", "/proxy/ex/%24%7BconnectionConfig.cloudId%7D/x", null).json().get("path").asText()).isEqualTo("/up/ex/cloud-123/x");
        assertThat(proxy("GET", "/proxy/ex/%7BconnectionConfig.site.name%7D/x", null).json().get("path").asText()).isEqualTo("/up/ex/acme/x");
    }

    @Test
    void missingConnectionConfigKey_is400NamingIt() {
        int before = up.apiCalls.get();
        Http.Res r = proxy("GET", "/proxy/ex/%7BconnectionConfig.nope%7D/x", null);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().at("/error/message").asText()).contains("connectionConfig.nope");
        assertThat(up.apiCalls.get()).isEqualTo(before);
    }

    @Test
    void jsonFormAndBinaryBodies_areForwarded() {
        JsonNode j = proxy("POST", "/proxy/x", "{\"a\":1}", "Content-Type", "application/json").json();
        assertThat(j.get("body").asText()).isEqualTo("{\"a\":1}");
        assertThat(j.at("/headers/Content-type").asText()).startsWith("application/json");

        j = proxy("POST", "/proxy/form", "b=2&a=1+x&c=%26", "Content-Type", "application/x-www-form-urlencoded").json();
        assertThat(j.get("body").asText()).isEqualTo("b=2&a=1+x&c=%26");
        assertThat(j.at("/headers/Content-type").asText()).startsWith("application/x-www-form-urlencoded");

        j = proxy("PATCH", "/proxy/bin", "\u0001\u0002binary", "Content-Type", "application/octet-stream").json();
        assertThat(j.get("bodyLength").asLong()).isEqualTo(8);
        assertThat(j.get("method").asText()).isEqualTo("PATCH");
    }

    @Test
    void everyMethod_isForwarded() {
        for (String m : List.of("GET", "DELETE", "OPTIONS", "PUT", "PROPFIND", "REPORT", "MKCOL")) {
            Http.Res r = proxy(m, "/proxy/m", m.equals("PUT") || m.equals("REPORT") ? "x" : null);
            assertThat(r.status()).as(m).isEqualTo(200);
            assertThat(r.json().get("method").asText()).isEqualTo(m);
        }
        assertThat(proxy("HEAD", "/proxy/m", null).status()).isEqualTo(200);
        for (String refused : List.of("TRACE")) { // (the JDK client cannot send CONNECT; the same rule refuses it)
            Http.Res r = proxy(refused, "/proxy/m", null);
            assertThat(r.status()).as(refused).isEqualTo(405);
            assertThat(r.json().at("/error/code").asText()).isEqualTo("method_not_supported");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/proxy/a/../b", "/proxy/a/%2e%2e/b", "/proxy/a/%2E./b", "/proxy/a/%252e%252e/b", "/proxy/a/./b",
            "/proxy/a%2fb", "/proxy//evil.example/x", "/proxy/a\\b", "/proxy/a%5cb", "/proxy/http://evil.example/x",
            "/proxy/a%0d%0aX-Injected:%201", "/proxy/", "/proxy/a//b"})
    void badPaths_are400_andNothingIsSent(String path) throws Exception {
        int before = up.apiCalls.get();
        String res = raw("GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + gw.secretKey()
                + "\r\nProvider-Config-Key: jira\r\nConnection-Id: u1\r\nConnection: close\r\n\r\n");
        assertThat(res).startsWith("HTTP/1.1 4");
        assertThat(up.apiCalls.get()).isEqualTo(before);
    }

    @Test
    void crlfInHeader_isRejected_andNothingIsSent() throws Exception {
        int before = up.apiCalls.get();
        String res = raw("GET /proxy/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + gw.secretKey()
                + "\r\nProvider-Config-Key: jira\r\nConnection-Id: u1\rX-Evil: 1\r\nConnection: close\r\n\r\n");
        assertThat(res).startsWith("HTTP/1.1 4");
        assertThat(up.apiCalls.get()).isEqualTo(before);
    }

    @Test
    void hugeHeader_isRejected_andNothingIsSent() throws Exception {
        int before = up.apiCalls.get();
        String res = raw("GET /proxy/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + gw.secretKey()
                + "\r\nProvider-Config-Key: jira\r\nConnection-Id: u1\r\nX-Big: " + "a".repeat(40_000) + "\r\nConnection: close\r\n\r\n");
        assertThat(res).startsWith("HTTP/1.1 431"); // past gateway.http.max-header-size (32 kB)
        assertThat(up.apiCalls.get()).isEqualTo(before);
    }

    @Test
    void aDeclaredBodyThatNeverComes_isDroppedAfterTheIdleTimeout_notTheConnectionsOwn() throws Exception {
        int before = up.apiCalls.get();
        long t0 = System.nanoTime();
        // Content-Length: 3 and no body (small bodies are kept for replays, read before the upstream call)
        String res = raw("POST /proxy/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + gw.secretKey()
                + "\r\nProvider-Config-Key: jira\r\nConnection-Id: u1\r\nContent-Length: 3\r\n\r\n");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).as("closed after gateway.proxy.idle-timeout (2 s here), not the 75 s connection idle timeout").isBetween(1_500L, 8_000L);
        assertThat(res).doesNotStartWith("HTTP/1.1 2");
        assertThat(up.apiCalls.get()).isEqualTo(before);
    }

    @Test
    void aStreamedBodyThatStopsArriving_is408_notTheProvidersTimeout() throws Exception {
        // above the replay limit the body is piped as it arrives: the provider waits for the rest until the idle
        // timeout, and that is the caller's stall (a 504 would blame the provider)
        String res = raw("POST /proxy/stalled-upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + gw.secretKey()
                + "\r\nProvider-Config-Key: jira\r\nConnection-Id: u1\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Length: 300000\r\n\r\n" + "y".repeat(0x10000));
        assertThat(res).startsWith("HTTP/1.1 408");
        assertThat(up.completeBodies).doesNotContain("/up/stalled-upload");
    }

    static String raw(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", gw.port())) {
            s.setSoTimeout(10_000);
            OutputStream os = s.getOutputStream();
            os.write(request.getBytes(StandardCharsets.ISO_8859_1));
            os.flush();
            InputStream in = s.getInputStream();
            return new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void selectorErrors_areJson4xx_andNothingIsSent() {
        int before = up.apiCalls.get();
        Http.Res r = http.send("GET", "/proxy/x", null, "Connection-Id", "u1");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().at("/error/code").asText()).isEqualTo("invalid_headers");
        r = http.send("GET", "/proxy/x", null, "Provider-Config-Key", "", "Connection-Id", "u1");
        assertThat(r.status()).isEqualTo(400);
        r = http.send("GET", "/proxy/x", null, "Provider-Config-Key", "jira", "Connection-Id", "");
        assertThat(r.status()).isEqualTo(400);
        r = http.send("GET", "/proxy/x", null, "Provider-Config-Key", "nope", "Connection-Id", "u1");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().at("/error/code").asText()).isEqualTo("unknown_provider_config");
        r = http.send("GET", "/proxy/x", null, "Provider-Config-Key", "jira", "Connection-Id", "nobody");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().at("/error/code").asText()).isEqualTo("unknown_connection");
        r = http.send("GET", "/proxy/x", null, "Provider-Config-Key", "jira", "Connection-Id", "only-other");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().at("/error/code").asText()).isEqualTo("unknown_connection");
        r = http.send("GET", "/proxy/x", null, "Authorization", null, "Provider-Config-Key", "jira", "Connection-Id", "u1");
        assertThat(r.status()).isEqualTo(401);
        r = proxy("GET", "/proxy/x", null, "Retries", "lots");
        assertThat(r.status()).isEqualTo(400);
        assertThat(up.apiCalls.get()).isEqualTo(before);
    }

    @Test
    void baseUrlOverride_emptyIgnored_allowListedUsed_otherRejected() {
        assertThat(proxy("GET", "/proxy/x", null, "Base-Url-Override", "").json().get("path").asText()).isEqualTo("/up/x");
        assertThat(proxy("GET", "/proxy/x", null, "Base-Url-Override", up.base() + "/up2/").json().get("path").asText()).isEqualTo("/up2/x");
        int before = up.apiCalls.get();
        for (String evil : List.of("http://evil.example", up.base() + "/other", "evil.example")) {
            Http.Res r = proxy("GET", "/proxy/x", null, "Base-Url-Override", evil);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.json().at("/error/code").asText()).isEqualTo("base_url_override_not_allowed");
        }
        assertThat(up.apiCalls.get()).isEqualTo(before);
    }

    @Test
    void freshToken_isServedFromMemory() {
        proxy("GET", "/proxy/warm", null);
        GatewayMetrics m = gw.bean("gatewayMetrics", GatewayMetrics.class);
        double hits = count(m, "hit");
        double misses = count(m, "miss");
        for (int i = 0; i < 20; i++) {
            assertThat(proxy("GET", "/proxy/hot", null).status()).isEqualTo(200);
        }
        assertThat(count(m, "hit") - hits).isEqualTo(20);
        assertThat(count(m, "miss") - misses).isZero();
    }

    /** gateway.http.native-transport (default true): on Linux x86-64, where the jar carries Netty's epoll library, it runs. */
    @Test
    void linuxX8664_runsTheEpollTransport() {
        boolean linuxX8664 = System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").matches("amd64|x86_64");
        org.junit.jupiter.api.Assumptions.assumeTrue(linuxX8664 || "true".equals(System.getenv("CI")), "epoll ships for Linux x86-64 only");
        assertThat(gw.bean("eventLoopServers", io.agcgateway.http.vertx.EventLoopServers.class).nativeTransport()).isTrue();
        assertThat(proxy("GET", "/proxy/over-epoll", null).status()).isEqualTo(200);
    }

    /** gateway.metrics.route-exclude (api-proxy by default): Camel's route meters leave the proxy out, ours count it. */
    @Test
    void camelRouteMeters_leaveTheProxyOut_gatewayProxyRequestsCountsIt() {
        assertThat(proxy("GET", "/proxy/metered", null).status()).isEqualTo(200);
        assertThat(http.get("/integrations").status()).isEqualTo(200);
        String scrape = new Http(gw.baseUrl(), null).get("/observe/metrics").body();
        assertThat(scrape).contains("gateway_proxy_requests_seconds_count{").contains("camel_exchanges_total{")
                .contains("routeId=\"api-integrations\"").doesNotContain("routeId=\"api-proxy\"");
    }

    @Test
    void mistypedProviderConfigKeys_shareOneUnknownLabel() {
        GatewayMetrics m = gw.bean("gatewayMetrics", GatewayMetrics.class);
        for (int i = 0; i < 50; i++) {
            Http.Res r = http.send("GET", "/proxy/x", null, "Provider-Config-Key", "typo-" + i, "Connection-Id", "u1");
            assertThat(r.status()).isBetween(400, 499);
        }
        assertThat(proxy("GET", "/proxy/labelled", null).status()).isEqualTo(200);
        var integrations = m.registry().find("gateway_proxy_requests").timers().stream().map(t -> t.getId().getTag("integration"))
                .collect(java.util.stream.Collectors.toSet());
        assertThat(integrations).contains("unknown", "jira").noneMatch(k -> k.startsWith("typo-"));
        String scrape = new Http(gw.baseUrl(), null).get("/observe/metrics").body();
        assertThat(scrape).doesNotContain("typo-");
    }

    static double count(GatewayMetrics m, String result) {
        var c = m.registry().find("gateway_token_cache").tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void expiredToken_200ConcurrentCalls_refreshOnce_allSucceed() throws Exception {
        connection("jira", "exp", "tok-old", System.currentTimeMillis() - 1000);
        int before = up.refreshCalls.get();
        org.apache.camel.api.management.ManagedCamelContext mcc = gw.context().getCamelContextExtension()
                .getContextPlugin(org.apache.camel.api.management.ManagedCamelContext.class);
        long viaRouteBefore = mcc.getManagedRoute("refresh-connection").getExchangesTotal();
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Future<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                fs.add(pool.submit(() -> http.send("GET", "/proxy/_checked/c", null, "Provider-Config-Key", "jira", "Connection-Id", "exp").status()));
            }
            for (Future<Integer> f : fs) {
                assertThat(f.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdown();
        }
        assertThat(up.refreshCalls.get() - before).isEqualTo(1);
        assertThat(mcc.getManagedRoute("refresh-connection").getExchangesTotal() - viaRouteBefore)
                .as("the proxy refreshes through the shared refresh-connection route").isGreaterThanOrEqualTo(1);
    }

    @Test
    void upstream401_refreshesOnce_andReplaysTheBody() {
        connection("jira", "r401", "tok-revoked", System.currentTimeMillis() + 3_600_000);
        int before = up.refreshCalls.get();
        Http.Res r = http.send("POST", "/proxy/_checked/p", "{\"x\":1}", "Provider-Config-Key", "jira", "Connection-Id", "r401",
                "Content-Type", "application/json");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("body").asText()).isEqualTo("{\"x\":1}");
        assertThat(up.refreshCalls.get() - before).isEqualTo(1);
    }

    @Test
    void refreshRejected_is424() {
        connection("jira", "dead", "tok-old", System.currentTimeMillis() - 1000);
        up.rejectRefresh = true;
        int before = up.apiCalls.get();
        Http.Res r = http.send("GET", "/proxy/x", null, "Provider-Config-Key", "jira", "Connection-Id", "dead");
        assertThat(r.status()).isEqualTo(424);
        assertThat(r.json().at("/error/code").asText()).isEqualTo("refresh_failed");
        assertThat(up.apiCalls.get()).isEqualTo(before);
    }

    @Test
    void retries_on429WithResetHeader_and5xx_thenSuccess() {
        up.faultStatus = 429;
        up.faultHeaders = Map.of("x-ratelimit-reset", String.valueOf(System.currentTimeMillis() / 1000));
        up.faultsLeft.set(2);
        int before = up.apiCalls.get();
        assertThat(proxy("GET", "/proxy/r", null, "Retries", "3").status()).isEqualTo(200);
        assertThat(up.apiCalls.get() - before).isEqualTo(3);

        up.faultStatus = 503;
        up.faultHeaders = Map.of();
        up.faultsLeft.set(1);
        assertThat(proxy("POST", "/proxy/r", "{}", "Retries", "2", "Content-Type", "application/json").status()).isEqualTo(200);

        up.faultStatus = 409;
        up.faultsLeft.set(1);
        assertThat(proxy("GET", "/proxy/r", null, "Retries", "1", "Retry-On", "409").status()).isEqualTo(200);
    }

    @Test
    void withoutRetries_oneAttempt_andUpstreamErrorIsRelayed() {
        up.faultStatus = 503;
        up.faultsLeft.set(1);
        int before = up.apiCalls.get();
        Http.Res r = proxy("GET", "/proxy/r", null);
        assertThat(r.status()).as(r.body() + " " + r.headers().map()).isEqualTo(503);
        assertThat(r.body()).contains("fault");
        assertThat(up.apiCalls.get() - before).isEqualTo(1);
    }

    /**
     * gateway.proxy.mdc-logging=false (default): the proxy's own lines carry no Camel MDC (its unit of work has none,
     * which needs the exchange to know its route from the start) and name the exchange in their text instead.
     */
    @Test
    void proxyFailureLine_namesRouteAndExchangeInItsText_withoutCamelsMdc() {
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ProxyDecide.class);
        var lines = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        lines.start();
        logger.addAppender(lines);
        try {
            Http.Res r = proxy("GET", "/proxy/x", null, "Base-Url-Override", "http://127.0.0.1:" + closedPort + "/down");
            assertThat(r.status()).isEqualTo(502);
        } finally {
            logger.detachAppender(lines);
        }
        assertThat(lines.list).hasSize(1);
        var line = lines.list.get(0);
        assertThat(line.getFormattedMessage()).contains("route=api-proxy").containsPattern("exchange=[0-9A-F]+-[0-9A-F]+ ");
        assertThat(line.getMDCPropertyMap()).doesNotContainKeys("camel.exchangeId", "camel.routeId");
    }

    @Test
    void unreachableUpstream_is502_andSlowUpstream_is504() {
        Http.Res r = proxy("GET", "/proxy/x", null, "Base-Url-Override", "http://127.0.0.1:" + closedPort + "/down");
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.json().at("/error/code").asText()).isEqualTo("upstream_unreachable");
        r = proxy("GET", "/proxy/_slow", null);
        assertThat(r.status()).isEqualTo(504);
        assertThat(r.json().at("/error/code").asText()).isEqualTo("upstream_timeout");
    }

    @Test
    void manyDistinctPaths_keepTheEndpointCountBounded() {
        proxy("GET", "/proxy/warm", null);
        int before = gw.context().getEndpoints().size();
        for (int i = 0; i < 500; i++) {
            assertThat(proxy("GET", "/proxy/item/" + i + "?q=" + i, null).status()).isEqualTo(200);
        }
        assertThat(gw.context().getEndpoints().size()).isLessThanOrEqualTo(before + 2);
    }

    @Test
    void calls_areLoggedAsOperations_withoutTokens() {
        proxy("GET", "/proxy/logged?access_token=leak", null, "Nango-Proxy-Authorization", "Bearer mine");
        OperationLog log = gw.bean("operationLog", OperationLog.class);
        // the row is submitted when the answer has ended, which may be just after the caller has read it
        List<Map<String, Object>> rows = List.of();
        for (long end = System.currentTimeMillis() + 10_000; rows.isEmpty() && System.currentTimeMillis() < end; ) {
            log.flush(1000);
            rows = new org.springframework.jdbc.core.JdbcTemplate(gw.dataSource())
                    .queryForList("SELECT * FROM operations WHERE op_type='proxy' AND message LIKE '%logged%'");
        }
        assertThat(rows).isNotEmpty();
        String all = rows.toString();
        assertThat(all).doesNotContain("tok-1").doesNotContain("leak").doesNotContain("Bearer mine");
        assertThat(rows.get(0).get("HTTP_STATUS")).isEqualTo(200);
    }

    @Test
    void absoluteEndpoint_underTheBaseUrl_isMadeRelative_anyOtherHostIs400() {
        Http.Res r = proxy("GET", "/proxy/" + up.base() + "/up/rest/api/3/issue/1?fields=summary", null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("path").asText()).isEqualTo("/up/rest/api/3/issue/1");
        assertThat(r.json().get("query").asText()).isEqualTo("fields=summary");
        int before = up.apiCalls.get();
        Http.Res other = proxy("GET", "/proxy/https://evil.example/up/rest/api/3/issue/1", null);
        assertThat(other.status()).isEqualTo(400);
        assertThat(other.json().at("/error/code").asText()).isEqualTo("invalid_proxy_path");
        Http.Res prefix = proxy("GET", "/proxy/" + up.base() + "/upx/rest", null);
        assertThat(prefix.status()).as("a base URL is a path prefix, not a string prefix").isEqualTo(400);
        assertThat(up.apiCalls.get()).isEqualTo(before);
    }

    static String to(String location) {
        return java.net.URLEncoder.encode(location, StandardCharsets.UTF_8);
    }

    @Test
    void relativeRedirect_isFollowed_withTheToken() {
        Http.Res r = proxy("GET", "/proxy/_redirect?code=302&to=" + to("/up/dest?x=1"), null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("path").asText()).isEqualTo("/up/dest");
        assertThat(r.json().get("query").asText()).isEqualTo("x=1");
        assertThat(r.json().at("/headers/Authorization").asText()).isEqualTo("Bearer tok-1");
    }

    @Test
    void redirectToAListedMediaHost_isFollowed_withoutTheToken_unlessForwardHeadersOnRedirect() {
        String media = up.base().replace("127.0.0.1", "localhost") + "/up/media/1";
        Http.Res r = proxy("GET", "/proxy/_redirect?code=302&to=" + to(media), null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("path").asText()).isEqualTo("/up/media/1");
        assertThat(r.json().get("headers").has("Authorization")).as("bearer token sent to another host").isFalse();
        Http.Res forwarded = proxy("GET", "/proxy/_redirect?code=302&to=" + to(media), null, "Forward-Headers-On-Redirect", "true");
        assertThat(forwarded.json().at("/headers/Authorization").asText()).isEqualTo("Bearer tok-1");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @ValueSource(strings = {"http://169.254.169.254/latest/meta-data", "http://127.0.0.2:9/x", "https://evil.example/x",
            "http://user:pw@localhost/x", "file:///etc/passwd", "http://[::1]:9/x"})
    void redirectToAnUnlistedHost_isRefusedWithJson_andNothingIsSentThere(String location) {
        int before = up.apiCalls.get();
        Http.Res r = proxy("GET", "/proxy/_redirect?code=302&to=" + to(location), null);
        assertThat(r.status()).as(r.body()).isEqualTo(502);
        assertThat(r.json().at("/error/code").asText()).isEqualTo("redirect_not_allowed");
        assertThat(up.apiCalls.get() - before).as("calls that reached the upstream").isEqualTo(1);
    }

    @Test
    void redirects_stopAfterFiveHops_withAClearError() {
        int before = up.apiCalls.get();
        Http.Res r = proxy("GET", "/proxy/_loop", null);
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.json().at("/error/code").asText()).isEqualTo("too_many_redirects");
        assertThat(up.apiCalls.get() - before).isEqualTo(6);
    }

    @Test
    void bareConnectionConfigSegment_asCurlGlobsIt_isFilled() {
        assertThat(proxy("GET", "/proxy/ex/jira/connectionConfig.cloudId/rest/api/3/myself", null).json().get("path").asText())
                .isEqualTo("/up/ex/jira/cloud-123/rest/api/3/myself");
    }

    @Test
    void seeOther_afterAPost_isFollowedAsAGetWithoutTheBody() {
        Http.Res r = proxy("POST", "/proxy/_redirect?code=303&to=" + to("/up/created/7"), "{\"a\":1}", "Content-Type", "application/json");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("method").asText()).isEqualTo("GET");
        assertThat(r.json().get("bodyLength").asLong()).isZero();
        Http.Res kept = proxy("POST", "/proxy/_redirect?code=307&to=" + to("/up/moved"), "{\"a\":1}", "Content-Type", "application/json");
        assertThat(kept.json().get("method").asText()).isEqualTo("POST");
        assertThat(kept.json().get("body").asText()).isEqualTo("{\"a\":1}");
    }

    @Test
    void download_isStreamedThrough() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/proxy/_bytes?size=5000000"))
                .header("Authorization", "Bearer " + gw.secretKey()).header("Provider-Config-Key", "jira").header("Connection-Id", "u1").build();
        HttpResponse<InputStream> r = Http.CLIENT.send(req, HttpResponse.BodyHandlers.ofInputStream());
        long n = 0;
        try (InputStream in = r.body()) {
            byte[] b = new byte[65536];
            int k;
            while ((k = in.read(b)) > 0) {
                n += k;
            }
        }
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(n).isEqualTo(5_000_000);
    }
}
