package io.agcgateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dashboard's files over real HTTP: what is served, with which headers, and what is refused. */
class DashboardRoutesTest {
    private static Gateway gw;
    private static Http http;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(TestGateway.Store.H2);
        http = new Http(gw.baseUrl(), null);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void root_servesIndexWithStrictCsp() {
        Http.Res r = http.get("/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/html");
        assertThat(r.body()).contains("/ui/app.js");
        String csp = r.header("Content-Security-Policy");
        assertThat(csp).contains("default-src 'self'").contains("frame-ancestors 'none'").doesNotContain("unsafe-inline");
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.header("Cache-Control")).isEqualTo("no-cache");
        assertThat(r.header("ETag")).isNotBlank();
    }

    @Test
    void ui_servesIndexToo() {
        assertThat(http.get("/ui").body()).contains("/ui/app.js");
    }

    @Test
    void assets_haveTheirContentTypes() {
        assertThat(http.get("/ui/app.js").header("Content-Type")).startsWith("text/javascript");
        assertThat(http.get("/ui/app.css").header("Content-Type")).startsWith("text/css");
        Http.Res logo = http.get("/logos/atlassian-government-cloud.svg");
        assertThat(logo.status()).isEqualTo(200);
        assertThat(logo.header("Content-Type")).isEqualTo("image/svg+xml");
        assertThat(logo.header("Cache-Control")).contains("max-age");
    }

    @Test
    void chartLibrary_isServedFromItsWebjar_underTheDashboardsHeaders() {
        Http.Res js = http.get("/ui/vendor/uplot/uPlot.iife.min.js");
        assertThat(js.status()).isEqualTo(200);
        assertThat(js.header("Content-Type")).startsWith("text/javascript");
        assertThat(js.body()).contains("uPlot");
        assertThat(js.header("Content-Security-Policy")).contains("script-src 'self'");
        assertThat(js.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(js.header("Cache-Control")).isEqualTo("no-cache");
        assertThat(http.get("/ui/vendor/uplot/uPlot.min.css").header("Content-Type")).startsWith("text/css");
        assertThat(http.get("/ui/health.js").header("Content-Type")).startsWith("text/javascript");
        // only the webjar's dist/ folder, and only known types
        assertThat(http.get("/ui/vendor/uplot/package.json").status()).isEqualTo(404);
        assertThat(http.get("/ui/vendor/uplot/uPlot.d.ts").status()).isEqualTo(404);
    }

    @Test
    void sameEtag_answers304() {
        String etag = http.get("/ui/app.js").header("ETag");
        Http.Res r = http.get("/ui/app.js", "If-None-Match", etag);
        assertThat(r.status()).isEqualTo(304);
        assertThat(r.body()).isEmpty();
    }

    @Test
    void requestHeaders_areNotEchoed() {
        Http.Res r = http.get("/ui/app.css", "X-Echo-Me", "1");
        assertThat(r.header("X-Echo-Me")).isNull();
    }

    @Test
    void missingFile_is404Json() {
        Http.Res r = http.get("/ui/nope.js");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().path("error").path("code").asText()).isEqualTo("not_found");
    }

    @Test
    void traversal_is404InEveryEncoding() {
        for (String p : new String[] {"/ui/%2e%2e/%2e%2e/config/application.properties", "/ui/..%2f..%2fpom.xml",
                "/ui/%2E%2E%5Cindex.html", "/ui/a%5c..%5capp.js", "/ui/%252e%252e/app.js", "/logos/..%2fapp.js",
                "/ui/io/agcgateway/Gateway.class", "/ui/.%2e/routes/dashboard.camel.yaml", "/logos/%2e%2e%2fui%2fapp.js"}) {
            Http.Res r = http.get(p);
            assertThat(r.status()).as(p).isIn(400, 404);
            assertThat(r.body()).as(p).doesNotContain("gateway.port").doesNotContain("route:").doesNotContain("<project");
        }
    }

    @Test
    void logsFilters_comeFromTheQueryOnly_notFromRequestHeaders() {
        Http.Res r = new Http(gw.baseUrl(), gw.secretKey()).get("/logs?limit=5", "Status", "bogus", "Type", "bogus");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        Http.Res q = new Http(gw.baseUrl(), gw.secretKey()).get("/logs?status=bogus");
        assertThat(q.status()).isEqualTo(400);
    }

    @Test
    void apiPaths_areNotShadowed() {
        // /integrations answers its own auth error (not a dashboard 200 or 404)
        Http.Res r = http.get("/integrations");
        assertThat(r.status()).isNotIn(200, 404);
        assertThat(r.body()).doesNotContain("/ui/app.js");
    }
}
