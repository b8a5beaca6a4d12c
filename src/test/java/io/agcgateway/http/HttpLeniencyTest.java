package io.agcgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.agcgateway.Gateway;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * Issue 12 items 6 and 11, issue 15 item 9 (405/404): the HTTP edge answers odd requests with the JSON error and the
 * right status, never a 500, an HTML page or a log flood. Raw sockets, so nothing normalises the request first.
 */
class HttpLeniencyTest {
    static Gateway gw;
    static int port;
    static ListAppender<ILoggingEvent> logs;

    @BeforeAll
    static void start() {
        var s = TestGateway.settings(TestGateway.Store.H2);
        gw = Gateway.start(s);
        port = Integer.parseInt(s.get("gateway.port"));
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    }

    @AfterAll
    static void stop() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        gw.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/observe/health?a=%zz", "/integrations/%zz", "/integrations/x%2", "/proxy/rest/api/3/x%g1",
        "/oauth/connect/agc-sandbox?x=%", "/connections?connection_id=%%"})
    void malformedEscapes_are400Json_andNotLogged(String target) throws Exception {
        int before = logs.list.size();
        for (int i = 0; i < 20; i++) {
            String answer = raw("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(answer).as(target).startsWith("HTTP/1.1 400");
            assertThat(answer).contains("\"code\":\"invalid_request\"").contains("malformed %-escape");
        }
        assertThat(logs.list.size() - before).as("log lines for 20 malformed requests").isZero();
    }

    @Test
    void lowercaseOrWrongMethod_is405Json_withTheRealAllowHeader() throws Exception {
        String auth = "Authorization: Bearer " + gw.secretKey() + "\r\n";
        String lower = raw("get /integrations HTTP/1.1\r\nHost: x\r\n" + auth + "Connection: close\r\n\r\n");
        assertThat(lower).startsWith("HTTP/1.1 405").contains("\"code\":\"method_not_allowed\"");
        assertThat(header(lower, "allow")).isEqualTo("GET, OPTIONS, POST"); // OPTIONS: the CORS preflight of session-token reads
        String put = raw("PUT /connect/sessions HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 0\r\nConnection: close\r\n\r\n");
        assertThat(put).startsWith("HTTP/1.1 405");
        assertThat(header(put, "allow")).isEqualTo("POST");
        String health = raw("POST /observe/health HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        assertThat(health).startsWith("HTTP/1.1 405");
        assertThat(header(health, "allow")).isEqualTo("GET");
        // a 405 with a body on the wire: answered, the connection closed, nothing hangs
        String withBody = raw("DELETE /connect/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde");
        assertThat(withBody).startsWith("HTTP/1.1 405");
    }

    @Test
    void unservedPath_isTheJson404_notHtml() {
        Http.Res r = new Http(gw.baseUrl(), gw.secretKey()).get("/no/such/path");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().at("/error/code").asText()).isEqualTo("not_found");
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    }

    @Test
    void duplicateTargetHeaders_are400() throws Exception {
        String auth = "Authorization: Bearer " + gw.secretKey() + "\r\n";
        for (String dup : new String[] {"Connection-Id: a\r\nConnection-Id: b\r\nProvider-Config-Key: agc-sandbox\r\n",
            "Connection-Id: a\r\nProvider-Config-Key: agc-sandbox\r\nprovider-config-key: other\r\n"}) {
            String answer = raw("GET /proxy/rest/api/3/myself HTTP/1.1\r\nHost: x\r\n" + auth + dup + "Connection: close\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 400").contains("\"code\":\"invalid_request\"").contains("more than once");
        }
        String twoKeys = raw("GET /integrations HTTP/1.1\r\nHost: x\r\n" + auth + auth + "Connection: close\r\n\r\n");
        assertThat(twoKeys).startsWith("HTTP/1.1 400");
    }

    @Test
    void transferEncodingOtherThanChunked_is501() throws Exception {
        String auth = "Authorization: Bearer " + gw.secretKey() + "\r\n";
        String answer = raw("POST /integrations HTTP/1.1\r\nHost: x\r\n" + auth
                + "Content-Type: application/json\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 501").contains("\"code\":\"not_implemented\"");
    }

    @Test
    void oversizedOrTooManyHeaders_areAJson431_andNothingHangs() throws Exception {
        String big = raw("GET /integrations HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(40_000) + "\r\nConnection: close\r\n\r\n");
        assertThat(big).startsWith("HTTP/1.1 431").contains("\"code\":\"request_header_too_large\"");
        StringBuilder many = new StringBuilder("GET /integrations HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 150; i++) {
            many.append("X-H").append(i).append(": v\r\n");
        }
        String answer = raw(many.append("Connection: close\r\n\r\n").toString());
        assertThat(answer).startsWith("HTTP/1.1 431").contains("\"code\":\"request_header_too_large\"");
        // under the caps (a 20 kB header: over Vert.x's 8 kB default) the request is served
        String fine = raw("GET /observe/health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\nConnection: close\r\n\r\n");
        assertThat(fine).startsWith("HTTP/1.1 200");
    }

    private static String header(String answer, String name) {
        for (String line : answer.split("\r\n")) {
            if (line.toLowerCase().startsWith(name + ":")) {
                return line.substring(name.length() + 1).trim();
            }
            if (line.isEmpty()) {
                break;
            }
        }
        return null;
    }

    /** Sends the request as written and reads until the server closes (every request here asks it to, or is refused). */
    private static String raw(String request) throws IOException {
        return io.agcgateway.support.RawHttp.exchange(port, request.getBytes(StandardCharsets.ISO_8859_1), null, 5_000);
    }
}
