package io.agcgateway.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.Gateway;
import io.agcgateway.http.Json;
import io.agcgateway.support.RawHttp;
import io.agcgateway.support.TestGateway;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Issue 12's walk: every HTTP route the started CamelContext serves (read from its platform-http endpoints, not from a
 * list here), called with generated hostile path parameters, methods, headers and bodies, with and without the key.
 * Never a 5xx or a hang; a JSON error on the API (HTML only on the browser pages); nothing stored by a refused request.
 * (What reaches a provider is HostileProxyInputProperties' trap server; here no connection exists to forward with.)
 */
class HostileRoutesProperties {
    private static final Pattern PARAM = Pattern.compile("\\{[^}]+}");
    private static Gateway gw;
    private static int port;
    private static JdbcTemplate jdbc;
    private static List<String[]> routes;

    @BeforeContainer
    static void boot() {
        var s = TestGateway.settings(TestGateway.Store.H2);
        s.put("gateway.sandbox", "false");
        gw = Gateway.start(s);
        port = Integer.parseInt(s.get("gateway.port"));
        jdbc = new JdbcTemplate(gw.dataSource());
        Set<String> seen = new TreeSet<>();
        routes = new ArrayList<>();
        for (var e : gw.context().getEndpoints()) {
            if (e instanceof PlatformHttpEndpoint p && seen.add(p.getPath() + " " + p.getHttpMethodRestrict())) {
                routes.add(new String[] {p.getPath(), p.getHttpMethodRestrict() == null ? "" : p.getHttpMethodRestrict()});
            }
        }
        assertThat(routes).as("routes read from the context").hasSizeGreaterThan(15);
    }

    @AfterContainer
    static void stop() {
        gw.close();
    }

    private static String snapshot() {
        return jdbc.queryForObject("SELECT (SELECT COUNT(*) FROM integrations) || '/' || (SELECT COUNT(*) FROM connections) || '/' "
                + "|| (SELECT COUNT(*) FROM connect_sessions) || '/' || (SELECT COUNT(*) FROM oauth_sessions)", String.class);
    }

    @Provide
    Arbitrary<String> nasty() {
        return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(60),
                Arbitraries.of("..", "../..", "%", "%zz", "\u0000", "\r\nX: 1", "' OR '1'='1", "${jndi:ldap://x}", "{{gateway.secret-key}}",
                        "a".repeat(3000), "\uD83D\uDE00", "agc-sandbox", "", " ", "null", "[]", "{}"));
    }

    @Provide
    Arbitrary<String> bodies() {
        return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(200),
                Arbitraries.of("", "{}", "[]", "null", "{\"unique_key\":{}}", "{\"end_user\":{\"id\":\"\\u0000\"}}", "{\"a\":" + "[".repeat(5000),
                        "{\"provider_config_key\":\"x\",\"connection_id\":\"../x\",\"credentials\":{\"type\":\"OAUTH2\",\"access_token\":1}}"));
    }

    @Provide
    Arbitrary<String> methods() {
        return Arbitraries.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "get", "PROPFIND", "TRACE", "X-CUSTOM");
    }

    @Provide
    Arbitrary<String> headers() {
        return Arbitraries.oneOf(Arbitraries.just(""),
                Arbitraries.of("Connection-Id: a\r\nConnection-Id: b\r\n", "Provider-Config-Key: ../x\r\n", "Transfer-Encoding: gzip\r\n",
                        "Content-Type: text/plain\r\n", "Authorization: Basic eDp5\r\n", "X-Forwarded-Host: evil.example\r\n",
                        "Base-Url-Override: http://127.0.0.1:1\r\n", "Nango-Proxy-Host: evil.example\r\n", "Origin: https://evil.example\r\n"),
                Combinators.combine(Arbitraries.of("X-A", "Accept", "Cookie", "Retries"), Arbitraries.strings().withCharRange(' ', '~')
                        .ofMaxLength(100)).as((n, v) -> n + ": " + v + "\r\n"));
    }

    @Property(tries = 300)
    void everyRoute_withHostileInput_neverAnswers5xx_andStoresNothingWhenRefused(@ForAll("methods") String method,
            @ForAll("nasty") String param, @ForAll("headers") String headers, @ForAll("bodies") String body,
            @ForAll boolean withKey, @ForAll("routeIndex") int index) throws Exception {
        String[] route = routes.get(index % routes.size());
        String path = route[0].endsWith("*") ? route[0].substring(0, route[0].length() - 1) + enc(param) : route[0];
        Matcher m = PARAM.matcher(path);
        StringBuilder target = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(target, Matcher.quoteReplacement(enc(param)));
        }
        m.appendTail(target);
        String before = snapshot();
        String answer = raw(method, target + "?q=" + enc(param), (withKey ? "Authorization: Bearer " + gw.secretKey() + "\r\n" : "") + headers,
                body);
        String what = method + " " + target + " [" + headers.replace("\r\n", "; ") + "] " + body.substring(0, Math.min(body.length(), 80));
        if (answer.isEmpty()) {
            return; // the server refused to parse the bytes and closed (e.g. a header with a NUL): no answer is not a 5xx
        }
        int status = Integer.parseInt(answer.substring(9, 12));
        if (status == 501 && headers.startsWith("Transfer-Encoding")) {
            assertThat(method.equals("HEAD") ? "\"code\":\"not_implemented\"" : body(answer)).contains("\"code\":\"not_implemented\"");
            return; // RFC 9112: an unknown transfer coding is 501, answered as JSON like every refusal
        }
        assertThat(status).as(what).isLessThan(500);
        if (status >= 400) {
            String lower = answer.toLowerCase();
            if (lower.contains("content-type: application/json")) {
                String json = body(answer);
                if (!method.equals("HEAD") && !json.isEmpty()) {
                    assertThat(Json.read(json).path("error").path("code").asText()).as(what + " -> " + json).isNotEmpty();
                }
            } else {
                // the only non-JSON error answers are the browser pages (consent, callback, connect, dashboard)
                assertThat(lower).as(what + " -> " + answer.substring(0, Math.min(200, answer.length()))).contains("content-type: text/html");
            }
            assertThat(snapshot()).as("refused, nothing stored: " + what).isEqualTo(before);
        }
    }

    @Provide
    Arbitrary<Integer> routeIndex() {
        return Arbitraries.integers().between(0, 1000);
    }

    /** The answer's body, de-chunked when it came chunked. */
    private static String body(String answer) {
        int head = answer.indexOf("\r\n\r\n");
        String rest = answer.substring(head + 4);
        if (!answer.substring(0, head).toLowerCase().contains("transfer-encoding: chunked")) {
            return rest;
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < rest.length()) {
            int eol = rest.indexOf("\r\n", i);
            int size = Integer.parseInt(rest.substring(i, eol).trim().split(";")[0], 16);
            if (size == 0) {
                break;
            }
            out.append(rest, eol + 2, eol + 2 + size);
            i = eol + 2 + size + 2;
        }
        return out.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** One request on its own connection; the whole answer, or "" when the server closed without one. */
    private static String raw(String method, String target, String headers, String body) throws Exception {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        boolean te = headers.contains("Transfer-Encoding");
        String req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers
                + (b.length > 0 && !te ? "Content-Type: application/json\r\nContent-Length: " + b.length + "\r\n" : "")
                + "Connection: close\r\n\r\n";
        return RawHttp.exchange(port, req.getBytes(StandardCharsets.UTF_8), te ? null : b, 15_000);
    }
}
