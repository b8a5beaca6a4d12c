package io.agcgateway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.Gateway;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The emulated AGC over real HTTP against a booted gateway (routes/sandbox, config/providers-sandbox.yaml). */
class SandboxRoutesTest {
    static final String ACME_TEST = "7d3c9a5e-2b1f-4e8a-9c6d-0a1b2c3d4e5f";
    static final String ACME = "4f8e2d1c-6b5a-4c3d-8e9f-1a2b3c4d5e6f";
    static final String NO_AUTH = null;

    static Gateway gw;
    static Http http;
    static SandboxAgc agc;
    static String secret;
    static String callback;

    @BeforeAll
    static void boot() {
        gw = Gateway.start(TestGateway.with(TestGateway.settings(TestGateway.Store.H2), "gateway.sandbox.reuse-window", "2s"));
        http = new Http(gw.baseUrl(), gw.secretKey());
        agc = gw.context().getRegistry().lookupByNameAndType("sandboxAgc", SandboxAgc.class);
        JsonNode creds = http.get("/integrations/agc-sandbox?include=credentials").json().path("data").path("credentials");
        secret = creds.path("client_secret").asText();
        callback = gw.settings().publicUrl() + "/oauth/callback";
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @BeforeEach
    void clean() {
        agc.faults().reset();
    }

    // ---- helpers ----

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String authorizeUrl(String... extra) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", Sandbox.CLIENT_ID);
        q.put("redirect_uri", callback);
        q.put("scope", "read:jira-work read:jira-user offline_access");
        q.put("state", "state-123");
        q.put("audience", "api.atlassian-us-gov-mod.com");
        q.put("prompt", "consent");
        for (int i = 0; i < extra.length; i += 2) {
            q.put(extra[i], extra[i + 1]);
        }
        StringBuilder b = new StringBuilder("/sandbox/authorize?");
        q.forEach((k, v) -> b.append(enc(k)).append('=').append(enc(v)).append('&'));
        return b.substring(0, b.length() - 1);
    }

    static Map<String, String> redirectQuery(Http.Res r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(302);
        String loc = r.header("Location");
        assertThat(loc).startsWith(callback + "?");
        return SandboxHttp.decodeForm(URI.create(loc).getRawQuery());
    }

    static String newCode() {
        Map<String, String> q = redirectQuery(http.get(authorizeUrl("auto_approve", "true"), "Authorization", NO_AUTH));
        return q.get("code");
    }

    static Http.Res tokenForm(String form) {
        return http.send("POST", "/sandbox/oauth/token", form, "Content-Type", "application/x-www-form-urlencoded", "Authorization", NO_AUTH);
    }

    static Http.Res tokenJson(String json) {
        return http.send("POST", "/sandbox/oauth/token", json, "Content-Type", "application/json", "Authorization", NO_AUTH);
    }

    static JsonNode connect() {
        Http.Res r = tokenForm("grant_type=authorization_code&client_id=" + Sandbox.CLIENT_ID + "&client_secret=" + enc(secret)
                + "&code=" + enc(newCode()) + "&redirect_uri=" + enc(callback));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    static Http.Res refresh(String refreshToken) {
        return tokenJson("{\"grant_type\":\"refresh_token\",\"client_id\":\"" + Sandbox.CLIENT_ID + "\",\"client_secret\":\"" + secret
                + "\",\"refresh_token\":\"" + refreshToken + "\"}");
    }

    static Http.Res api(String path, String accessToken) {
        return http.get(path, "Authorization", accessToken == null ? NO_AUTH : "Bearer " + accessToken);
    }

    // ---- the walk ----

    @Test
    void walk_authorizeTokenResourcesMyselfRefresh() {
        Map<String, String> redirect = redirectQuery(http.get(authorizeUrl("auto_approve", "true"), "Authorization", NO_AUTH));
        assertThat(redirect).containsEntry("state", "state-123").containsKey("code");

        Http.Res tok = tokenForm("grant_type=authorization_code&client_id=" + Sandbox.CLIENT_ID + "&client_secret=" + enc(secret)
                + "&code=" + enc(redirect.get("code")) + "&redirect_uri=" + enc(callback));
        assertThat(tok.status()).as(tok.toString()).isEqualTo(200);
        assertThat(tok.header("Cache-Control")).isEqualTo("no-store");
        JsonNode pair = tok.json();
        assertThat(pair.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(pair.path("expires_in").asLong()).isEqualTo(3600);
        assertThat(pair.path("scope").asText()).isEqualTo("read:jira-work read:jira-user offline_access");
        String at = pair.path("access_token").asText();
        String rt = pair.path("refresh_token").asText();
        assertThat(at).isNotBlank().isNotEqualTo(rt);

        Http.Res sites = api("/sandbox/oauth/token/accessible-resources", at);
        assertThat(sites.status()).as(sites.toString()).isEqualTo(200);
        JsonNode list = sites.json();
        assertThat(list).hasSize(2);
        assertThat(list.get(0).path("id").asText()).isEqualTo(ACME_TEST);
        assertThat(list.get(0).path("url").asText()).isEqualTo("https://acme-test.atlassian-us-gov-mod.net");
        assertThat(list.get(1).path("id").asText()).isEqualTo(ACME);
        assertThat(list.get(1).path("url").asText()).isEqualTo("https://acme.atlassian-us-gov-mod.net");
        assertThat(list.get(1).path("scopes").toString()).contains("read:jira-work", "read:jira-user");
        assertThat(list.get(1).path("avatarUrl").asText()).startsWith("https://");

        Http.Res me = api("/sandbox/ex/jira/" + ACME + "/rest/api/3/myself", at);
        assertThat(me.status()).as(me.toString()).isEqualTo(200);
        assertThat(me.json().path("accountId").asText()).isEqualTo("5b10a2844c20165700ede21g");
        assertThat(me.json().path("self").asText()).startsWith("https://acme.atlassian-us-gov-mod.net/rest/api/3/user?accountId=");

        Http.Res jql = api("/sandbox/ex/jira/" + ACME + "/rest/api/3/search/jql?jql=" + enc("project = ACME") + "&fields=summary,status", at);
        assertThat(jql.status()).isEqualTo(200);
        assertThat(jql.json().path("issues").get(0).path("key").asText()).isEqualTo("ACME-1");
        assertThat(jql.json().path("isLast").asBoolean()).isTrue();
        assertThat(jql.json().has("total")).isFalse();

        Http.Res legacy = api("/sandbox/ex/jira/" + ACME_TEST + "/rest/api/3/search?jql=" + enc("project = TEST"), at);
        assertThat(legacy.status()).isEqualTo(200);
        assertThat(legacy.json().path("total").asInt()).isEqualTo(3);
        assertThat(legacy.json().path("issues").get(0).path("key").asText()).isEqualTo("TEST-1");

        long refreshesBefore = agc.stats().refreshCalls();
        Http.Res refreshed = refresh(rt);
        assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);
        String at2 = refreshed.json().path("access_token").asText();
        assertThat(at2).isNotEqualTo(at);
        assertThat(refreshed.json().path("refresh_token").asText()).isNotEqualTo(rt);
        assertThat(api("/sandbox/ex/jira/" + ACME + "/rest/api/3/myself", at2).status()).isEqualTo(200);
        assertThat(api("/sandbox/ex/jira/" + ACME + "/rest/api/3/myself", at).status()).isEqualTo(200); // valid until its expiry
        assertThat(agc.stats().refreshCalls()).isEqualTo(refreshesBefore + 1);
        assertThat(agc.refreshCallsFor(at2)).isEqualTo(1);

        JsonNode stats = http.get("/sandbox/_stats", "Authorization", NO_AUTH).json();
        assertThat(stats.path("refresh_calls").asLong()).isEqualTo(agc.stats().refreshCalls());
        assertThat(stats.path("refresh_calls_per_family").path(agc.familyOf(at2).orElseThrow()).asLong()).isEqualTo(1);
    }

    @Test
    void jqlSearch_withoutFields_returnsIdsOnly_andPages() {
        String at = connect().path("access_token").asText();
        JsonNode page1 = api("/sandbox/ex/jira/" + ACME + "/rest/api/3/search/jql?jql=order+by+key&maxResults=2", at).json();
        assertThat(page1.path("issues").get(0).toString()).isEqualTo("{\"id\":\"10001\"}");
        assertThat(page1.path("isLast").asBoolean()).isFalse();
        String next = page1.path("nextPageToken").asText();
        JsonNode page2 = api("/sandbox/ex/jira/" + ACME + "/rest/api/3/search/jql?maxResults=2&nextPageToken=" + next, at).json();
        assertThat(page2.path("issues")).hasSize(1);
        assertThat(page2.path("isLast").asBoolean()).isTrue();
    }

    // ---- authorize ----

    @Test
    void authorize_consentPage_listsScopes_andEscapesInput() {
        Http.Res page = http.get(authorizeUrl("state", "<script>alert(1)</script>\"'"), "Authorization", NO_AUTH);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.body()).contains("<code>read:jira-work</code>", "<code>offline_access</code>", ">Approve<", ">Deny<")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;")
                .doesNotContain("<script>");
    }

    @Test
    void authorize_approve_redirectsWithCode_deny_redirectsWithAccessDenied() {
        Map<String, String> ok = redirectQuery(http.get(authorizeUrl("decision", "approve"), "Authorization", NO_AUTH));
        assertThat(ok.get("code")).isNotBlank();
        assertThat(ok).containsEntry("state", "state-123").doesNotContainKey("error");
        Map<String, String> no = redirectQuery(http.get(authorizeUrl("decision", "deny"), "Authorization", NO_AUTH));
        assertThat(no).containsEntry("error", "access_denied").containsEntry("state", "state-123").doesNotContainKey("code");
        assertThat(no.get("error_description")).isNotBlank();
    }

    @Test
    void authorize_wrongRedirectUri_is400Page() {
        Http.Res r = http.get(authorizeUrl("redirect_uri", "https://evil.example/cb?<b>", "auto_approve", "true"), "Authorization", NO_AUTH);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("Location")).isNull();
        assertThat(r.body()).contains("Callback URL mismatch").doesNotContain("<b>");
    }

    @Test
    void authorize_wrongAudience_is400Page() {
        Http.Res r = http.get(authorizeUrl("audience", "api.atlassian.com", "auto_approve", "true"), "Authorization", NO_AUTH);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("api.atlassian-us-gov-mod.com");
    }

    // ---- token endpoint errors ----

    @Test
    void token_badClientSecret_is401AccessDenied() {
        Http.Res r = tokenForm("grant_type=authorization_code&client_id=" + Sandbox.CLIENT_ID + "&client_secret=wrong&code="
                + enc(newCode()) + "&redirect_uri=" + enc(callback));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error").asText()).isEqualTo("access_denied");
    }

    @Test
    void token_wrongRedirectUri_isInvalidGrant() {
        Http.Res r = tokenJson("{\"grant_type\":\"authorization_code\",\"client_id\":\"" + Sandbox.CLIENT_ID + "\",\"client_secret\":\""
                + secret + "\",\"code\":\"" + newCode() + "\",\"redirect_uri\":\"http://elsewhere.example/cb\"}");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_grant");
        assertThat(r.json().path("error_description").asText()).contains("redirect_uri");
    }

    @Test
    void token_basicClientAuth_isAccepted() {
        String basic = java.util.Base64.getEncoder().encodeToString((Sandbox.CLIENT_ID + ":" + secret).getBytes(StandardCharsets.UTF_8));
        Http.Res r = http.send("POST", "/sandbox/oauth/token", "grant_type=authorization_code&code=" + enc(newCode())
                + "&redirect_uri=" + enc(callback), "Content-Type", "application/x-www-form-urlencoded", "Authorization", "Basic " + basic);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    @Test
    void token_pkceOverHttp_checksVerifier() {
        String verifier = "verifier-0123456789-0123456789-0123456789-xyz";
        Map<String, String> q = redirectQuery(http.get(authorizeUrl("auto_approve", "true", "code_challenge", SandboxAgc.s256(verifier),
                "code_challenge_method", "S256"), "Authorization", NO_AUTH));
        String base = "grant_type=authorization_code&client_id=" + Sandbox.CLIENT_ID + "&client_secret=" + enc(secret)
                + "&code=" + enc(q.get("code")) + "&redirect_uri=" + enc(callback);
        Http.Res r = tokenForm(base + "&code_verifier=" + enc(verifier));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    @Test
    void refresh_unknownToken_is403InvalidGrant() {
        Http.Res r = refresh("rt_unknown");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_grant");
        assertThat(r.json().path("error_description").asText()).isEqualTo("Unknown or invalid refresh token.");
    }

    @Test
    void refresh_revokedFamily_isRejected_andItsAccessTokenIs401() {
        JsonNode pair = connect();
        String family = agc.familyOf(pair.path("access_token").asText()).orElseThrow();
        Http.Res ctl = http.post("/sandbox/_control", "{\"revoke_family\":\"" + family + "\"}");
        assertThat(ctl.status()).as(ctl.toString()).isEqualTo(200);
        assertThat(agc.isRevoked(family)).isTrue();
        Http.Res r = refresh(pair.path("refresh_token").asText());
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_grant");
        Http.Res me = api("/sandbox/ex/jira/" + ACME + "/rest/api/3/myself", pair.path("access_token").asText());
        assertThat(me.status()).isEqualTo(401);
        assertThat(me.json().path("message").asText()).isEqualTo("Unauthorized");
    }

    @Test
    void refresh_reuseAfterWindow_overHttp_revokesFamily() throws InterruptedException {
        JsonNode pair = connect();
        String rt0 = pair.path("refresh_token").asText();
        JsonNode pair1 = refresh(rt0).json();
        assertThat(refresh(rt0).status()).as("inside the 2 s window").isEqualTo(200);
        Thread.sleep(2100);
        Http.Res late = refresh(rt0);
        assertThat(late.status()).isEqualTo(403);
        assertThat(late.json().path("error").asText()).isEqualTo("unauthorized_client");
        assertThat(late.json().path("error_description").asText()).isEqualTo("refresh_token is invalid");
        assertThat(api("/sandbox/ex/jira/" + ACME + "/rest/api/3/myself", pair1.path("access_token").asText()).status()).isEqualTo(401);
    }

    // ---- API guard ----

    @Test
    void api_missingOrBadToken_is401_unknownCloudId_is404() {
        Http.Res none = api("/sandbox/ex/jira/" + ACME + "/rest/api/3/myself", null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.json().path("code").asInt()).isEqualTo(401);
        assertThat(none.json().path("message").asText()).isEqualTo("Unauthorized");
        assertThat(api("/sandbox/oauth/token/accessible-resources", "at_forged").status()).isEqualTo(401);
        String at = connect().path("access_token").asText();
        Http.Res unknownSite = api("/sandbox/ex/jira/00000000-0000-4000-8000-000000000000/rest/api/3/myself", at);
        assertThat(unknownSite.status()).isEqualTo(404);
    }

    // ---- echo and bytes ----

    @Test
    void echo_anyMethodAndNestedPath_reportsTheRequest() throws Exception {
        String at = connect().path("access_token").asText();
        byte[] body = new byte[3_000_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        HttpResponse<String> r = Http.CLIENT.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/sandbox/ex/jira/" + ACME
                        + "/_echo/rest/api/3/issue/A%20B?x=1&y=a%2Fb&y=2"))
                .header("Authorization", "Bearer " + at).header("Content-Type", "application/octet-stream").header("X-Custom", "v1")
                .method("PUT", HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode e = io.agcgateway.http.Json.read(r.body());
        assertThat(e.path("method").asText()).isEqualTo("PUT");
        assertThat(e.path("path").asText()).isEqualTo("/sandbox/ex/jira/" + ACME + "/_echo/rest/api/3/issue/A%20B");
        assertThat(e.path("query").asText()).isEqualTo("x=1&y=a%2Fb&y=2");
        assertThat(e.path("headers").path("x-custom").asText()).isEqualTo("v1");
        assertThat(e.path("headers").path("authorization").asText()).isEqualTo("Bearer REDACTED");
        assertThat(e.path("body_size").asLong()).isEqualTo(body.length);
        assertThat(e.path("body_sha256").asText()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)));
        assertThat(e.path("content_type").asText()).isEqualTo("application/octet-stream");
        assertThat(e.path("token_sha256").asText())
                .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(at.getBytes(StandardCharsets.UTF_8))));

        for (String method : new String[] {"PATCH", "DELETE", "OPTIONS", "POST", "GET"}) {
            Http.Res m = http.send(method, "/sandbox/ex/jira/" + ACME + "/_echo/x", method.equals("PATCH") ? "{\"a\":1}" : null,
                    "Authorization", "Bearer " + at, "Content-Type", "application/json");
            assertThat(m.status()).as(method + " " + m).isEqualTo(200);
            assertThat(m.json().path("method").asText()).isEqualTo(method);
            assertThat(m.json().path("body_size").asLong()).isEqualTo(method.equals("PATCH") ? 7 : 0);
        }
        // a multipart upload (a Jira attachment) is echoed byte for byte, as the real proxy path forwards it
        String multipart = "--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\nhello attachment\r\n--b0undary--\r\n";
        Http.Res mp = http.send("POST", "/sandbox/ex/jira/" + ACME + "/_echo/rest/api/3/issue/A-1/attachments", multipart,
                "Authorization", "Bearer " + at, "Content-Type", "multipart/form-data; boundary=b0undary", "X-Atlassian-Token", "no-check");
        assertThat(mp.status()).as(mp.toString()).isEqualTo(200);
        assertThat(mp.json().path("body_size").asLong()).isEqualTo(multipart.getBytes(StandardCharsets.UTF_8).length);
        assertThat(mp.json().path("body_sha256").asText()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(multipart.getBytes(StandardCharsets.UTF_8))));
        assertThat(mp.json().path("content_type").asText()).isEqualTo("multipart/form-data; boundary=b0undary");
        Http.Res head = http.send("HEAD", "/sandbox/ex/jira/" + ACME + "/_echo/x", null, "Authorization", "Bearer " + at);
        assertThat(head.status()).isEqualTo(200);
        Http.Res noToken = http.send("PUT", "/sandbox/ex/jira/" + ACME + "/_echo/x", "x", "Authorization", NO_AUTH);
        assertThat(noToken.status()).isEqualTo(401);
    }

    @Test
    void bytes_streamsTheRequestedSize() throws Exception {
        String at = connect().path("access_token").asText();
        long size = 20L * 1024 * 1024;
        HttpResponse<InputStream> r = Http.CLIENT.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/sandbox/ex/jira/" + ACME
                + "/_bytes?size=" + size)).header("Authorization", "Bearer " + at).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        long n = 0;
        try (InputStream in = r.body()) {
            byte[] buf = new byte[65536];
            for (int k; (k = in.read(buf)) != -1; ) {
                if (n == 0) {
                    assertThat(buf[0]).isEqualTo((byte) 'a');
                }
                n += k;
            }
        }
        assertThat(n).isEqualTo(size);
        assertThat(api("/sandbox/ex/jira/" + ACME + "/_bytes?size=10", null).status()).isEqualTo(401);
    }

    // ---- faults and control ----

    @Test
    void faults_rateLimit_answers429WithRetryHeaders() {
        String at = connect().path("access_token").asText();
        Http.Res ctl = http.post("/sandbox/_control", "{\"rate_limit\":{\"count\":1,\"retry_after\":3}}");
        assertThat(ctl.status()).as(ctl.toString()).isEqualTo(200);
        Http.Res limited = api("/sandbox/ex/jira/" + ACME + "/rest/api/3/myself", at);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.header("Retry-After")).isEqualTo("3");
        assertThat(limited.header("X-RateLimit-Reset")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\dZ");
        assertThat(api("/sandbox/ex/jira/" + ACME + "/rest/api/3/myself", at).status()).isEqualTo(200);
    }

    @Test
    void faults_tokenFailures_thenRecover() {
        JsonNode pair = connect();
        long refreshes = agc.stats().refreshCalls();
        agc.faults().failNextTokenCalls(2, 502);
        assertThat(refresh(pair.path("refresh_token").asText()).status()).isEqualTo(502);
        assertThat(refresh(pair.path("refresh_token").asText()).status()).isEqualTo(502);
        assertThat(refresh(pair.path("refresh_token").asText()).status()).isEqualTo(200);
        assertThat(agc.stats().refreshCalls()).as("injected failures never reach the emulator").isEqualTo(refreshes + 1);
    }

    @Test
    void faults_apiFailure_answersStatus() {
        String at = connect().path("access_token").asText();
        agc.faults().failNextApiCalls(1, 503);
        Http.Res r = api("/sandbox/ex/jira/" + ACME + "/rest/api/3/myself", at);
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.body()).contains("Injected failure");
    }

    @Test
    void faults_dropConnection_closesMidBody() {
        String at = connect().path("access_token").asText();
        agc.faults().dropNextApiResponses(1);
        HttpRequest req = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/sandbox/ex/jira/" + ACME + "/rest/api/3/myself"))
                .header("Authorization", "Bearer " + at).timeout(java.time.Duration.ofSeconds(10)).build();
        assertThatThrownBy(() -> Http.CLIENT.send(req, HttpResponse.BodyHandlers.ofByteArray()))
                .isInstanceOf(IOException.class).isNotInstanceOf(java.net.http.HttpTimeoutException.class);
        assertThat(api("/sandbox/ex/jira/" + ACME + "/rest/api/3/myself", at).status()).isEqualTo(200);
    }

    @Test
    void faults_latency_delaysTokenCalls() {
        JsonNode pair = connect();
        Http.Res ctl = http.post("/sandbox/_control", "{\"token_latency_ms\":400}");
        assertThat(ctl.json().path("faults").path("token_latency_ms").asLong()).isEqualTo(400);
        long t0 = System.nanoTime();
        assertThat(refresh(pair.path("refresh_token").asText()).status()).isEqualTo(200);
        assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(400);
    }

    @Test
    void control_needsTheSecretKey() {
        Http.Res r = http.send("POST", "/sandbox/_control", "{\"reset\":true}", "Content-Type", "application/json", "Authorization", NO_AUTH);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error").path("code").asText()).isEqualTo("missing_auth_header");
    }
}
