package io.agcgateway.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.Gateway;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every HTTP route of the running app that is not public by design refuses a missing, malformed or wrong key
 * with a 401 JSON error; the set is read from the CamelContext, so a new route is covered without editing this test.
 */
class AuthCoverageTest {
    /** Public by design (docs/ARCHITECTURE.md "API and errors"): OAuth browser steps, hosted connect page, observability, API doc, dashboard, sandbox. */
    private static final List<String> PUBLIC = List.of("/oauth/", "/connect", "/observe/", "/openapi.json", "/ui", "/logos/",
            "/sandbox/");

    private static Gateway gw;
    private static Http http;

    @BeforeAll
    static void boot() {
        gw = TestGateway.start(TestGateway.Store.H2);
        http = new Http(gw.baseUrl(), gw.secretKey());
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    record Target(String path, String method) {
    }

    static boolean isPublic(String path) {
        if (path.equals("/") || path.equals("/connect/session")) {
            return true; // dashboard page; GET /connect/session takes the connect session token instead of the key
        }
        if (path.startsWith("/connect/sessions")) {
            return false;
        }
        // "/x/" covers /x and everything under it; "/x" covers only /x and /x/...
        return PUBLIC.stream().anyMatch(p -> p.endsWith("/")
                ? path.startsWith(p) || path.equals(p.substring(0, p.length() - 1))
                : path.equals(p) || path.startsWith(p + "/"));
    }

    private static List<Target> protectedTargets() {
        List<Target> out = new ArrayList<>();
        for (Route r : gw.context().getRoutes()) {
            if (!(r.getEndpoint() instanceof PlatformHttpEndpoint ep)) {
                continue;
            }
            String path = URLDecoder.decode(ep.getPath(), StandardCharsets.UTF_8).replaceAll("\\{[^}]+}", "probe");
            if (isPublic(path)) {
                continue;
            }
            String restrict = ep.getHttpMethodRestrict();
            if ("OPTIONS".equals(restrict)) {
                continue; // a CORS preflight never carries credentials (Fetch standard); ConnectSessionPublicApiTest covers them
            }
            for (String m : restrict == null ? List.of("GET", "POST", "DELETE") : List.of(restrict.split(","))) {
                out.add(new Target(path.endsWith("*") ? path.replace("*", "probe") : path, m.strip()));
            }
        }
        return out;
    }

    @Test
    void everyProtectedRoute_refusesMissingMalformedAndWrongKeys() {
        List<Target> targets = protectedTargets();
        assertThat(targets).extracting(Target::path).contains("/integrations", "/connections", "/logs", "/connect/sessions", "/providers");
        String[][] badAuth = {{"Authorization", null}, {"Authorization", "Basic dXNlcjpwYXNz"}, {"Authorization", "Bearer "},
                {"Authorization", "Bearer not-a-uuid"}, {"Authorization", "Bearer " + UUID.randomUUID()},
                {"Authorization", "Bearer " + gw.secretKey() + "x"}, {"Authorization", "bearer\t" + UUID.randomUUID()}};
        for (Target t : targets) {
            for (String[] auth : badAuth) {
                String body = t.method().equals("GET") || t.method().equals("DELETE") || t.method().equals("HEAD") ? null : "{}";
                Http.Res r = http.send(t.method(), t.path(), body, auth[0], auth[1], "Content-Type", "application/json");
                assertThat(r.status()).as(t + " with " + auth[1]).isEqualTo(401);
                if (!t.method().equals("HEAD")) {
                    assertThat(r.json().at("/error/code").asText()).as(t + " with " + auth[1])
                            .isIn("missing_auth_header", "malformed_auth_header", "invalid_secret_key_format", "unknown_account");
                }
            }
        }
    }

    @Test
    void apiAndDashboard_sendSecurityHeaders() {
        for (Http.Res r : List.of(http.get("/integrations"), http.get("/integrations/missing"), http.get("/"))) {
            assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
        }
        assertThat(http.get("/").header("Content-Security-Policy")).contains("default-src 'self'").contains("frame-ancestors 'none'");
        assertThat(http.get("/integrations").header("Cache-Control")).isEqualTo("no-store");
    }
}
