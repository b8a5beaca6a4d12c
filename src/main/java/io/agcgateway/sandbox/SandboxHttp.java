package io.agcgateway.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agcgateway.http.GatewayException;
import io.agcgateway.http.Json;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

/**
 * HTTP face of the emulated AGC ({@code routes/sandbox/sandbox-agc.camel.yaml}): reads requests straight
 * from the Vert.x request (platform-http also copies query and form fields into headers, which a caller
 * could spoof), asks {@link SandboxAgc}, and writes Atlassian's answer shapes, not the gateway's error shape.
 */
public final class SandboxHttp {
    private static final DateTimeFormatter RESET = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm'Z'").withZone(ZoneOffset.UTC);
    private static final Map<String, Object> UNAUTHORIZED = Map.of("code", 401, "message", "Unauthorized");

    private final SandboxAgc agc;
    private final Clock clock;

    public SandboxHttp(SandboxAgc agc, Clock clock) {
        this.agc = agc;
        this.clock = clock;
    }

    // ---- authorize ----

    /** GET /sandbox/authorize: consent page, or a redirect when decided (decision=approve|deny, auto_approve=true). */
    public void authorize(Exchange ex) {
        pause(agc.faults().delay(SandboxFaults.Target.API));
        Map<String, String> q = query(ex);
        SandboxAgc.AuthorizeRequest req;
        try {
            req = agc.checkAuthorize(q);
        } catch (SandboxAgc.AuthorizeError e) {
            html(ex, 400, SandboxPages.error(e.getMessage()));
            return;
        }
        String decision = "true".equals(q.get("auto_approve")) ? "approve" : q.get("decision");
        if ("approve".equals(decision)) {
            redirect(ex, req.redirectUri(), "code", agc.issueCode(req), "state", req.state());
        } else if ("deny".equals(decision)) {
            redirect(ex, req.redirectUri(), "error", "access_denied", "error_description", "The user denied access to the app.",
                    "state", req.state());
        } else {
            html(ex, 200, SandboxPages.consent(req, q));
        }
    }

    // ---- token endpoint ----

    /** POST /sandbox/oauth/token with a JSON or form body (Atlassian documents JSON; Nango sends a form). */
    public void token(Exchange ex) {
        if (delayAndFault(ex, SandboxFaults.Target.TOKEN)) {
            return;
        }
        try {
            Map<String, String> p = tokenParams(ex);
            json(ex, 200, agc.token(p).body());
        } catch (SandboxAgc.OAuthError e) {
            json(ex, e.status(), e.body());
        }
    }

    private Map<String, String> tokenParams(Exchange ex) {
        String ct = Optional.ofNullable(header(ex, "Content-Type")).orElse("").toLowerCase(Locale.ROOT);
        String body = Optional.ofNullable(ex.getIn().getBody(String.class)).orElse("");
        Map<String, String> p = new LinkedHashMap<>();
        if (ct.startsWith("application/json")) {
            JsonNode node;
            try {
                node = Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new SandboxAgc.OAuthError(400, "invalid_request", "The request body is not valid JSON");
            }
            if (node == null || !node.isObject()) {
                throw new SandboxAgc.OAuthError(400, "invalid_request", "The request body must be a JSON object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getValue().isValueNode() && !f.getValue().isNull()) {
                    p.put(f.getKey(), f.getValue().asText());
                }
            }
        } else if (ct.startsWith("application/x-www-form-urlencoded")) {
            // Vert.x's body handler has already decoded the form into attributes and left no raw body.
            request(ex).formAttributes().forEach(a -> p.putIfAbsent(a.getKey(), a.getValue()));
            if (p.isEmpty()) {
                p.putAll(decodeForm(body));
            }
        } else {
            throw new SandboxAgc.OAuthError(400, "invalid_request", "Content-Type must be application/json or application/x-www-form-urlencoded");
        }
        // RFC 6749 §2.3.1: client credentials may come as HTTP Basic instead of body fields.
        String auth = header(ex, "Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String pair = new String(Base64.getDecoder().decode(auth.substring(6).strip()), StandardCharsets.UTF_8);
                int colon = pair.indexOf(':');
                if (colon > 0) {
                    p.put("client_id", URLDecoder.decode(pair.substring(0, colon), StandardCharsets.UTF_8));
                    p.put("client_secret", URLDecoder.decode(pair.substring(colon + 1), StandardCharsets.UTF_8));
                }
            } catch (IllegalArgumentException e) {
                throw new SandboxAgc.OAuthError(401, "access_denied", "Unauthorized");
            }
        }
        return p;
    }

    // ---- API host ----

    /** GET /sandbox/oauth/token/accessible-resources: both sites, acme-test first. */
    public void accessibleResources(Exchange ex) {
        SandboxAgc.Grant g = apiGuard(ex, false);
        if (g == null) {
            return;
        }
        List<Map<String, Object>> sites = SandboxAgc.SITES.stream().map(s -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", s.id());
            m.put("name", s.name());
            m.put("url", s.url());
            m.put("scopes", g.scopes());
            m.put("avatarUrl", s.avatarUrl());
            return m;
        }).toList();
        json(ex, 200, sites);
    }

    public void myself(Exchange ex) {
        if (apiGuard(ex, true) != null) {
            json(ex, 200, SandboxJira.myself(site(ex)));
        }
    }

    public void searchJql(Exchange ex) {
        if (apiGuard(ex, true) != null) {
            Map<String, String> q = query(ex);
            json(ex, 200, SandboxJira.searchJql(site(ex), q.get("fields"), intParam(q, "maxResults", 50), q.get("nextPageToken")));
        }
    }

    /**
     * Legacy GET /rest/api/3/search. Real Atlassian answers 410 Gone since CHANGE-2046 (2025); the sandbox still
     * serves the old shape because the curl in Nango's AGC guide calls it and newcomers follow that guide.
     */
    public void searchLegacy(Exchange ex) {
        if (apiGuard(ex, true) != null) {
            Map<String, String> q = query(ex);
            json(ex, 200, SandboxJira.searchLegacy(site(ex), intParam(q, "startAt", 0), intParam(q, "maxResults", 50)));
        }
    }

    /** ANY .../_echo/**: what arrived, for the proxy's tests; the body is hashed as it streams in. */
    public void echo(Exchange ex) {
        if (apiGuard(ex, true) == null) {
            // refused before the body was read (the route leaves it unread): discard it, so the connection can serve the
            // caller's next request instead of stalling behind an unread body
            HttpServerRequest req = request(ex);
            req.handler(discarded -> { });
            req.resume();
            return;
        }
        HttpServerRequest req = request(ex);
        String uri = req.uri();
        int qm = uri.indexOf('?');
        Map<String, Object> headers = new TreeMap<>();
        req.headers().forEach(h -> headers.merge(h.getKey().toLowerCase(Locale.ROOT), h.getValue(), (a, b) -> a + ", " + b));
        String auth = req.getHeader("Authorization");
        // The echo answer travels back to the gateway's API caller: never hand out the AGC token itself.
        if (auth != null) {
            headers.put("authorization", "Bearer REDACTED");
        }
        // the route leaves the body unread (useBodyHandler=false): take it from the request, byte for byte, on this worker
        MessageDigest sha = sha256();
        long size;
        try {
            java.util.concurrent.CompletableFuture<io.vertx.core.buffer.Buffer> body = req.body().toCompletionStage().toCompletableFuture();
            req.resume();
            io.vertx.core.buffer.Buffer b = body.get(60, java.util.concurrent.TimeUnit.SECONDS);
            sha.update(b.getBytes());
            size = b.length();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the echo body", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the echo body did not arrive: " + e.getClass().getSimpleName(), e);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("method", req.method().name());
        r.put("path", qm < 0 ? uri : uri.substring(0, qm));
        r.put("query", qm < 0 ? "" : uri.substring(qm + 1));
        r.put("headers", headers);
        r.put("body_size", size);
        r.put("body_sha256", HexFormat.of().formatHex(sha.digest()));
        r.put("content_type", req.getHeader("Content-Type"));
        r.put("token_sha256", auth == null ? null : HexFormat.of().formatHex(sha256().digest(bearer(auth).getBytes(StandardCharsets.UTF_8))));
        json(ex, 200, r);
    }

    /** GET .../_bytes?size=N: N bytes generated while they are written, never held in memory. */
    public void bytes(Exchange ex) {
        if (apiGuard(ex, true) == null) {
            return;
        }
        String size = query(ex).get("size");
        long n;
        try {
            n = size == null ? 0 : Long.parseLong(size);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0 || n > (1L << 34)) {
            json(ex, 400, Map.of("errorMessages", List.of("size must be a number of bytes between 0 and 17179869184"), "errors", Map.of()));
            return;
        }
        respond(ex, 200, "application/octet-stream", new PatternStream(n, -1, null), Map.of("Content-Length", String.valueOf(n)));
    }

    // ---- control plane ----

    public void stats(Exchange ex) {
        json(ex, 200, statsView());
    }

    /** POST /sandbox/_control: the fault knobs of {@link SandboxFaults} as JSON; answers the knobs and counters. */
    public void control(Exchange ex) {
        ObjectNode b = Json.requestObject(ex.getIn().getBody(String.class));
        SandboxFaults f = agc.faults();
        try {
            if (b.path("reset").asBoolean(false)) {
                f.reset();
            }
            if (b.path("reset_stats").asBoolean(false)) {
                agc.resetStats();
            }
            if (b.has("latency_ms")) {
                f.latency(Duration.ofMillis(b.get("latency_ms").asLong()));
            }
            if (b.has("token_latency_ms")) {
                f.tokenLatency(Duration.ofMillis(b.get("token_latency_ms").asLong()));
            }
            if (b.has("fail_every")) {
                f.failEvery(b.get("fail_every").asInt(), b.path("fail_status").asInt(503));
            }
            if (b.has("token_failures")) {
                f.failNextTokenCalls(b.get("token_failures").path("count").asInt(), b.get("token_failures").path("status").asInt(503));
            }
            if (b.has("api_failures")) {
                f.failNextApiCalls(b.get("api_failures").path("count").asInt(), b.get("api_failures").path("status").asInt(503));
            }
            if (b.has("rate_limit")) {
                f.rateLimitNextApiCalls(b.get("rate_limit").path("count").asInt(), b.get("rate_limit").path("retry_after").asInt(1));
            }
            if (b.has("drop_connection")) {
                f.dropNextApiResponses(b.get("drop_connection").path("count").asInt());
            }
            if (b.hasNonNull("revoke_family")) {
                agc.revokeFamily(b.get("revoke_family").asText());
            }
        } catch (IllegalArgumentException e) {
            throw GatewayException.invalidBody(null, e.getMessage());
        }
        json(ex, 200, Map.of("faults", f.view(), "stats", statsView()));
    }

    private Map<String, Object> statsView() {
        SandboxStats s = agc.stats();
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("authorization_codes_issued", s.authorizationCodesIssued());
        v.put("code_exchanges", s.codeExchanges());
        v.put("code_exchange_attempts", s.codeExchangeAttempts());
        v.put("refresh_calls", s.refreshCalls());
        v.put("refresh_successes", s.refreshSuccesses());
        v.put("refresh_calls_per_family", s.refreshCallsPerFamily());
        v.put("revoked_families", s.revokedFamilies());
        v.put("api_calls", s.apiCalls());
        v.put("injected_faults", s.injectedFaults());
        return v;
    }

    // ---- shared steps ----

    /**
     * Latency, call counter, injected fault, then the bearer token (and the cloudId for /ex/jira).
     * Returns null when the answer has already been written.
     */
    private SandboxAgc.Grant apiGuard(Exchange ex, boolean siteRequired) {
        agc.countApiCall();
        if (delayAndFault(ex, SandboxFaults.Target.API)) {
            return null;
        }
        Optional<SandboxAgc.Grant> g = agc.checkAccessToken(bearer(header(ex, "Authorization")));
        if (g.isEmpty()) {
            json(ex, 401, UNAUTHORIZED);
            return null;
        }
        if (siteRequired && site(ex) == null) {
            json(ex, 404, Map.of("code", 404, "message", "Site not found"));
            return null;
        }
        return g.get();
    }

    /** @return true when a fault answered the call */
    private boolean delayAndFault(Exchange ex, SandboxFaults.Target target) {
        SandboxFaults faults = agc.faults();
        pause(faults.delay(target));
        SandboxFaults.Fault f = faults.next(target);
        if (f == null) {
            return false;
        }
        agc.countInjectedFault();
        switch (f.kind()) {
            case RATE_LIMIT -> json(ex, 429, Map.of("errorMessages", List.of("Rate limit exceeded."), "errors", Map.of()),
                    "Retry-After", String.valueOf(f.retryAfterSeconds()),
                    "X-RateLimit-Reset", RESET.format(clock.instant().plusSeconds(f.retryAfterSeconds())),
                    "RateLimit-Reason", "jira-burst-based");
            case DROP -> {
                // Promise 64 KiB, send half, then close the TCP connection: a failing stream alone leaves it hanging.
                long promised = 65536;
                HttpServerRequest req = request(ex);
                respond(ex, 200, "application/octet-stream", new PatternStream(promised, promised / 2, () -> req.connection().close()),
                        Map.of("Content-Length", String.valueOf(promised)));
            }
            default -> json(ex, f.status(), target == SandboxFaults.Target.TOKEN
                    ? Map.of("error", "server_error", "error_description", "Injected failure (sandbox fault knob).")
                    : Map.of("errorMessages", List.of("Injected failure (sandbox fault knob)."), "errors", Map.of()));
        }
        return true;
    }

    /** platform-http runs routes on Vert.x worker threads, so sleeping here does not stall the event loop. */
    private static void pause(Duration d) {
        if (!d.isZero()) {
            try {
                Thread.sleep(d.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static SandboxAgc.Site site(Exchange ex) {
        String cloudId = ex.getIn().getHeader("cloudId", String.class);
        return SandboxAgc.SITES.stream().filter(s -> s.id().equals(cloudId)).findFirst().orElse(null);
    }

    private static String bearer(String header) {
        if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return header.substring(7).strip();
    }

    private static HttpServerRequest request(Exchange ex) {
        if (ex.getIn() instanceof HttpMessage m) {
            return m.getRequest();
        }
        throw new IllegalStateException("the sandbox needs the Vert.x platform-http engine");
    }

    private static String header(Exchange ex, String name) {
        return request(ex).getHeader(name);
    }

    static Map<String, String> query(Exchange ex) {
        String q = request(ex).query();
        return decodeForm(q == null ? "" : q);
    }

    /** First value wins, as Atlassian reads a repeated parameter. */
    static Map<String, String> decodeForm(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : s.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                out.putIfAbsent(k, v);
            } catch (IllegalArgumentException e) {
                // malformed %-escape: ignore that pair, as servlet containers do
            }
        }
        return out;
    }

    private static int intParam(Map<String, String> q, String name, int dflt) {
        try {
            return q.containsKey(name) ? Integer.parseInt(q.get(name)) : dflt;
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void redirect(Exchange ex, String base, String... kv) {
        StringBuilder url = new StringBuilder(base).append(base.contains("?") ? '&' : '?');
        boolean first = true;
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                continue;
            }
            url.append(first ? "" : "&").append(kv[i]).append('=').append(URLEncoder.encode(kv[i + 1], StandardCharsets.UTF_8));
            first = false;
        }
        respond(ex, 302, null, null, Map.of("Location", url.toString()));
    }

    private static void html(Exchange ex, int status, String page) {
        // a consent page is never framed (clickjacking), as AGC's own; only the Connect UI may be
        respond(ex, status, "text/html; charset=utf-8", page, Map.of("X-Frame-Options", "DENY",
                "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"));
    }

    private static void json(Exchange ex, int status, Object body, String... headers) {
        Map<String, String> h = new LinkedHashMap<>();
        for (int i = 0; i < headers.length; i += 2) {
            h.put(headers[i], headers[i + 1]);
        }
        respond(ex, status, "application/json", Json.write(body), h);
    }

    /** platform-http sends every message header back, so all are dropped and only ours are set. */
    private static void respond(Exchange ex, int status, String contentType, Object body, Map<String, String> headers) {
        Message m = ex.getMessage();
        m.removeHeaders("*");
        // RFC 6749 §5.1: token answers carry Cache-Control: no-store. Camel's header filter drops Cache-Control,
        // so it goes straight onto the Vert.x response.
        if (ex.getIn() instanceof HttpMessage hm) {
            hm.getResponse().putHeader("Cache-Control", "no-store");
        }
        m.setHeader("X-Content-Type-Options", "nosniff");
        headers.forEach(m::setHeader);
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        if (contentType != null) {
            m.setHeader(Exchange.CONTENT_TYPE, contentType);
        }
        m.setBody(body);
    }

    /** {@code size} bytes of a repeating pattern, made on demand; fails after {@code failAt} bytes when >= 0. */
    static final class PatternStream extends InputStream {
        private final long size;
        private final long failAt;
        private final Runnable onFail;
        private long pos;

        PatternStream(long size, long failAt, Runnable onFail) {
            this.size = size;
            this.failAt = failAt;
            this.onFail = onFail;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (failAt >= 0 && pos >= failAt) {
                if (onFail != null) {
                    onFail.run();
                }
                throw new IOException("sandbox fault: connection dropped mid-body");
            }
            if (pos >= size) {
                return -1;
            }
            long limit = failAt >= 0 ? Math.min(size, failAt) : size;
            int n = (int) Math.min(len, limit - pos);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) ('a' + (pos + i) % 26);
            }
            pos += n;
            return n;
        }
    }
}
