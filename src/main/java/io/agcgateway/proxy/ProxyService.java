package io.agcgateway.proxy;

import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.http.GatewayException;
import io.agcgateway.http.Redact;
import io.agcgateway.logs.Operation;
import io.agcgateway.logs.OperationLog;
import io.agcgateway.metrics.GatewayMetrics;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.http.HttpMethods;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logic of routes/api-proxy.camel.yaml (DESIGN §6). The route does the HTTP with camel-http through a
 * toD on the provider's base URL; this bean decides what goes up and what comes back:
 * prepare (selectors, path, token, headers, body), attempt (per try), afterAttempt / failedAttempt
 * (401 refresh-and-replay, Retries), respond (response headers, operation log, metrics, last use).
 */
public final class ProxyService implements AutoCloseable {
    static final String CALL = "agcProxyCall";
    static final String AGAIN = "agcProxyAgain";
    static final String BASE = "proxyBase";
    /** Chunks of the caller's body held ahead of the upstream writer (Vert.x reads up to 64 KB per chunk). */
    static final int BODY_WINDOW = 8;
    private static final Logger LOG = LoggerFactory.getLogger(ProxyService.class);
    private static final Pattern PROVIDER_CONFIG_KEY = Pattern.compile("^[a-zA-Z0-9~:.@ _-]{1,255}$");
    private static final Pattern CONNECTION_ID = Pattern.compile("^[a-zA-Z0-9,.;:=+~\\[\\]|@${}\"'\\\\/_ -]{1,255}$");
    private static final Pattern RETRY_ON = Pattern.compile("^\\d{3}(,\\d{3})*$");
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");
    /** Never forwarded upstream: credentials of the caller, hop-by-hop (RFC 9110 §7.6.1), our control headers. */
    private static final Set<String> DROP_REQUEST = Set.of("authorization", "cookie", "host", "connection", "keep-alive",
            "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
            "content-length", "content-type", "expect", "provider-config-key", "connection-id", "base-url-override",
            "nango-activity-log-id", "nango-is-sync", "nango-is-script", "nango-is-dry-run", "retries", "retry-on", "decompress",
            "forward-headers-on-redirect");
    /** Never relayed to the caller: hop-by-hop, and CORS of the provider (the gateway answers for itself). */
    private static final Set<String> DROP_RESPONSE = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");

    private final RetryPolicy retryPolicy;
    private final int replayLimit;
    private final int maxRetries;
    private final Clock clock;
    private final Set<Long> used = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService touch;
    private volatile TokenCache tokens;
    private volatile ConnectionStore store;
    private volatile OperationLog log;
    private volatile GatewayMetrics metrics;

    private final long timeoutMs;

    public ProxyService(RetryPolicy retryPolicy, int replayLimit, int maxRetries, Clock clock, Duration touchInterval,
                        Duration timeout) {
        this.timeoutMs = timeout.toMillis();
        this.retryPolicy = retryPolicy;
        this.replayLimit = replayLimit;
        this.maxRetries = maxRetries;
        this.clock = clock;
        this.touch = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "proxy-last-used");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(100, touchInterval.toMillis());
        touch.scheduleWithFixedDelay(this::flushUsed, ms, ms, TimeUnit.MILLISECONDS);
    }

    void wire(TokenCache tokens, ConnectionStore store, OperationLog log, GatewayMetrics metrics) {
        this.tokens = tokens;
        this.store = store;
        this.log = log;
        this.metrics = metrics;
    }

    /** One proxied call across its attempts. */
    static final class Call {
        final long startNanos = System.nanoTime();
        long startMs;
        String method;
        HttpMethods httpMethod;
        String integrationKey;
        String connectionId;
        TokenCache.Entry entry;
        String base;
        String path;
        String rawQuery;
        Map<String, Object> forward;
        ContentType contentType;
        byte[] replayBody;
        InputStream stream;
        long streamLength = -1;
        boolean replayable = true;
        int retries;
        Set<Integer> retryOn = Set.of();
        int attempts;
        long waited;
        boolean refreshed;
        String error;
        HttpServerRequest request;
    }

    // ---- route steps ----

    public void prepare(Exchange exchange) throws IOException {
        Call call = new Call();
        call.startMs = clock.millis();
        exchange.setProperty(CALL, call);
        Message m = exchange.getMessage();
        HttpServerRequest req = m instanceof HttpMessage hm ? hm.getRequest() : null;
        call.request = req;
        try {
            String uri = req != null ? req.uri() : m.getHeader(Exchange.HTTP_URI, String.class);
            call.method = (req != null ? req.method().name() : m.getHeader(Exchange.HTTP_METHOD, "GET", String.class)).toUpperCase(Locale.ROOT);
            MultiMap in = req != null ? req.headers() : headersOf(m);
            call.integrationKey = selector(in, "Provider-Config-Key", PROVIDER_CONFIG_KEY);
            call.connectionId = selector(in, "Connection-Id", CONNECTION_ID);
            if (!METHODS.contains(call.method)) {
                throw new GatewayException(405, "method_not_supported", "The proxy does not support the HTTP method " + call.method + ".");
            }
            call.httpMethod = HttpMethods.valueOf(call.method);
            int q = uri.indexOf('?');
            String rawPath = q < 0 ? uri : uri.substring(0, q);
            call.rawQuery = q < 0 || q == uri.length() - 1 ? null : uri.substring(q + 1);
            if (!rawPath.startsWith("/proxy/")) {
                throw new GatewayException(400, "invalid_proxy_path", "The proxy path is empty: call /proxy/<provider API path>.");
            }
            call.retries = retries(in.get("Retries"));
            call.retryOn = retryOn(in.get("Retry-On"));
            call.entry = tokens.get(call.integrationKey, call.connectionId);
            call.base = base(call.entry, in.get("Base-Url-Override"));
            call.path = ProxyPath.resolve(rawPath.substring("/proxy".length()), call.entry.config());
            call.forward = forwardHeaders(in);
            body(call, m, in, req);
            exchange.setVariable(BASE, call.base);
            exchange.setProperty(AGAIN, true);
        } catch (GatewayException e) {
            call.error = e.code();
            finish(call, e.status(), null, null);
            throw e;
        }
    }

    /** Sets the message up for one try: only the headers we chose, the token, path, query and body. */
    public void attempt(Exchange exchange) {
        Call call = exchange.getProperty(CALL, Call.class);
        exchange.setProperty(AGAIN, false);
        call.attempts++;
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.getHeaders().putAll(call.forward);
        if (!call.forward.containsKey("Authorization")) {
            m.setHeader("Authorization", "Bearer " + call.entry.accessToken());
        }
        // the enum camel-http reads: a String here costs a type-converter lookup on every call
        m.setHeader(Exchange.HTTP_METHOD, call.httpMethod);
        m.setHeader(Exchange.HTTP_PATH, call.path);
        if (call.rawQuery != null) {
            m.setHeader(Exchange.HTTP_RAW_QUERY, call.rawQuery);
        }
        m.setBody(entity(call));
    }

    public void afterAttempt(Exchange exchange) {
        Call call = exchange.getProperty(CALL, Call.class);
        Message m = exchange.getMessage();
        int status = m.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        // A caller that sends its own Authorization (Nango-Proxy-Authorization) owns that credential: its 401 is
        // relayed, never answered by spending a rotation of the connection's refresh token.
        if (status == 401 && !call.refreshed && call.replayable && !callerAuthorization(call)) {
            // DESIGN §6: the token may have been revoked or rotated elsewhere; one forced refresh, then replay
            call.refreshed = true;
            closeBody(m);
            try {
                call.entry = tokens.forceRefresh(call.entry);
            } catch (GatewayException e) {
                call.error = e.code();
                finish(call, e.status(), null, null);
                throw e;
            }
            exchange.setProperty(AGAIN, true);
            return;
        }
        if (call.attempts <= call.retries && call.replayable && RetryPolicy.retryable(status, call.retryOn)) {
            long wait = retryPolicy.waitMs(call.attempts, name -> m.getHeader(name, String.class),
                    call.entry.provider().retryAtHeaders(), call.waited, clock.millis());
            if (wait >= 0) {
                closeBody(m);
                sleep(call, wait);
                exchange.setProperty(AGAIN, true);
                return;
            }
        }
        // Read a small answer inside the attempt loop, so a provider that breaks off mid-body is retried
        // (with Retries) or answered as a clear 502, instead of a truncated relay.
        try {
            smallBodyAsBytes(call, m, m.getHeaders());
        } catch (GatewayException broken) {
            if (retriedAfterFailure(call, exchange)) {
                return;
            }
            call.error = broken.code();
            finish(call, broken.status(), null, null);
            throw broken;
        }
    }

    private static boolean callerAuthorization(Call call) {
        for (String k : call.forward.keySet()) {
            if (k.equalsIgnoreCase("Authorization")) {
                return true;
            }
        }
        return false;
    }

    /** A try that failed without an answer (network error, answer broken off): waits and asks for another when allowed. */
    private boolean retriedAfterFailure(Call call, Exchange exchange) {
        if (call.attempts <= call.retries && call.replayable) {
            long wait = retryPolicy.waitMs(call.attempts, null, List.of(), call.waited, clock.millis());
            if (wait >= 0) {
                sleep(call, wait);
                exchange.setProperty(AGAIN, true);
                return true;
            }
        }
        return false;
    }

    /** A network error on one try: retry when asked and possible, else 502 upstream_unreachable / 504 upstream_timeout. */
    public void failedAttempt(Exchange exchange) {
        Call call = exchange.getProperty(CALL, Call.class);
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (retriedAfterFailure(call, exchange)) {
            return;
        }
        boolean timeout = t instanceof SocketTimeoutException || t instanceof InterruptedIOException
                || t != null && t.getClass().getName().endsWith("ConnectTimeoutException");
        GatewayException e = timeout
                ? new GatewayException(504, "upstream_timeout", "The provider did not answer in time.")
                : new GatewayException(502, "upstream_unreachable", "The provider could not be reached.");
        LOG.warn("proxy upstream failure; integration={} connection={} route=api-proxy reason={}", call.integrationKey,
                call.connectionId, t == null ? "unknown" : t.getClass().getSimpleName());
        call.error = e.code();
        finish(call, e.status(), null, null);
        throw e;
    }

    /** Relays the provider's answer: its status, its body (a stream), its headers minus hop-by-hop ones. */
    public void respond(Exchange exchange) {
        Call call = exchange.getProperty(CALL, Call.class);
        Message m = exchange.getMessage();
        int status = m.getHeader(Exchange.HTTP_RESPONSE_CODE, 502, Integer.class);
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> h : m.getHeaders().entrySet()) {
            String lower = h.getKey().toLowerCase(Locale.ROOT);
            if (lower.startsWith("camel") || DROP_RESPONSE.contains(lower) || lower.startsWith("access-control-")) {
                continue;
            }
            out.put(h.getKey(), h.getValue());
        }
        m.removeHeaders("*");
        m.getHeaders().putAll(out);
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        smallBodyAsBytes(call, m, out);
        finish(call, status, out, null);
    }

    /**
     * A small answer with a known length is read into memory: platform-http then writes it in one go on the
     * event loop instead of pumping a stream through worker-thread hand-offs. Anything else stays a stream.
     */
    private void smallBodyAsBytes(Call call, Message m, Map<String, Object> headers) {
        if (!(m.getBody() instanceof InputStream is)) {
            return;
        }
        long length = -1;
        for (Map.Entry<String, Object> h : headers.entrySet()) {
            if (h.getKey().equalsIgnoreCase("Content-Length")) {
                try {
                    length = Long.parseLong(String.valueOf(h.getValue()).trim());
                } catch (NumberFormatException e) {
                    return;
                }
            }
        }
        if (length > replayLimit) {
            m.setBody(new AbortOnError(is, call.request));
            return;
        }
        try {
            // known small length, or unknown (chunked): read up to the limit; whatever fits is answered in one go
            byte[] head = is.readNBytes(replayLimit + 1);
            if (head.length <= replayLimit) {
                is.close();
                // a Vert.x Buffer is written with one end(); a byte[] would be converted to a stream and pumped
                m.setBody(Buffer.buffer(head));
                return;
            }
            m.setBody(new AbortOnError(new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(head), is), call.request));
        } catch (IOException e) {
            throw new GatewayException(502, "upstream_unreachable", "The provider's answer broke off.");
        }
    }

    /**
     * A large answer is relayed as it arrives, so its status is already sent when the provider breaks off: the
     * caller's connection is then closed, a clear failure, instead of leaving a response that never ends.
     */
    static final class AbortOnError extends java.io.FilterInputStream {
        private final HttpServerRequest caller;

        AbortOnError(InputStream in, HttpServerRequest caller) {
            super(in);
            this.caller = caller;
        }

        private IOException abort(IOException e) {
            if (caller != null) {
                caller.connection().close();
            }
            return e;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                throw abort(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                throw abort(e);
            }
        }
    }

    // ---- helpers ----

    private static MultiMap headersOf(Message m) {
        MultiMap mm = MultiMap.caseInsensitiveMultiMap();
        m.getHeaders().forEach((k, v) -> mm.add(k, String.valueOf(v)));
        return mm;
    }

    private static String selector(MultiMap in, String name, Pattern valid) {
        String v = in.get(name);
        if (v == null || v.isBlank()) {
            throw invalidHeaders(name, "The " + name + " header is missing or empty: it names the "
                    + (name.startsWith("Provider") ? "integration" : "connection") + " to call with.");
        }
        if (!valid.matcher(v).matches()) {
            throw invalidHeaders(name, "The " + name + " header has characters that are not allowed or is longer than 255.");
        }
        return v;
    }

    private static GatewayException invalidHeaders(String header, String message) {
        return new GatewayException(400, "invalid_headers", message,
                List.of(Map.of("code", "invalid", "message", message, "path", List.of(header.toLowerCase(Locale.ROOT)))));
    }

    private int retries(String v) {
        if (v == null || v.isBlank()) {
            return 0;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.min(n, maxRetries);
        } catch (NumberFormatException e) {
            throw invalidHeaders("Retries", "The Retries header must be a whole number.");
        }
    }

    private static Set<Integer> retryOn(String v) {
        if (v == null || v.isBlank()) {
            return Set.of();
        }
        if (!RETRY_ON.matcher(v.trim()).matches()) {
            throw invalidHeaders("Retry-On", "The Retry-On header must be a comma list of status codes, e.g. 429,409.");
        }
        Set<Integer> s = new HashSet<>();
        for (String p : v.trim().split(",")) {
            s.add(Integer.parseInt(p));
        }
        return s;
    }

    private static String base(TokenCache.Entry entry, String override) {
        String base = entry.provider().proxyBaseUrl();
        if (override != null && !override.isBlank()) {
            String o = trimSlash(override.trim());
            boolean allowed = false;
            for (String a : entry.provider().allowedBaseUrls()) {
                if (trimSlash(a).equals(o)) {
                    allowed = true;
                    break;
                }
            }
            if (!allowed) {
                throw new GatewayException(400, "base_url_override_not_allowed",
                        "Base-Url-Override must be one of the provider's proxy.allowed_base_urls.");
            }
            base = o;
        }
        if (base == null || base.isBlank()) {
            throw new GatewayException(400, "missing_api_url", "The provider has no proxy.base_url in the catalog.");
        }
        return trimSlash(base);
    }

    private static String trimSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static Map<String, Object> forwardHeaders(MultiMap in) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map.Entry<String, String>> prefixed = new ArrayList<>();
        for (Map.Entry<String, String> h : in.entries()) {
            String lower = h.getKey().toLowerCase(Locale.ROOT);
            if (lower.startsWith("nango-proxy-")) {
                prefixed.add(h);
                continue;
            }
            if (DROP_REQUEST.contains(lower) || lower.startsWith("camel") || lower.startsWith("nango-")) {
                continue;
            }
            add(out, h.getKey(), h.getValue());
        }
        // Nango-Proxy-X wins over a plain X (Nango: the caller's forwarded headers override the template)
        for (Map.Entry<String, String> h : prefixed) {
            String name = h.getKey().substring("nango-proxy-".length());
            String lower = name.toLowerCase(Locale.ROOT);
            if (name.isEmpty() || Set.of("host", "content-length", "transfer-encoding", "connection", "te", "upgrade",
                    "keep-alive", "trailer", "expect").contains(lower) || lower.startsWith("camel")) {
                continue;
            }
            out.keySet().removeIf(k -> k.equalsIgnoreCase(name));
            add(out, canonical(name), h.getValue());
        }
        return out;
    }

    private static String canonical(String name) {
        return name.equalsIgnoreCase("authorization") ? "Authorization" : name;
    }

    @SuppressWarnings("unchecked")
    private static void add(Map<String, Object> out, String name, String value) {
        for (Map.Entry<String, Object> e : out.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                Object cur = e.getValue();
                List<String> l;
                if (cur instanceof List) {
                    l = (List<String>) cur;
                } else {
                    l = new ArrayList<>();
                    l.add((String) cur);
                    e.setValue(l);
                }
                l.add(value);
                return;
            }
        }
        out.put(name, value);
    }

    /**
     * The body as the caller sent it, whatever its content type (multipart and forms included: platform-http does
     * not parse it, useBodyHandler=false). Small bodies with a known length are kept (replayable after a 401 or for
     * Retries); larger or chunked ones are piped through once.
     */
    private void body(Call call, Message m, MultiMap in, HttpServerRequest req) throws IOException {
        String ct = in.get("Content-Type");
        if (ct != null && !ct.isBlank()) {
            try {
                call.contentType = ContentType.parse(ct);
            } catch (RuntimeException e) {
                throw invalidHeaders("Content-Type", "The Content-Type header is malformed.");
            }
        }
        long length = -1;
        String cl = in.get("Content-Length");
        if (cl != null) {
            try {
                length = Long.parseLong(cl.trim());
            } catch (NumberFormatException e) {
                throw invalidHeaders("Content-Length", "The Content-Length header is not a number.");
            }
        }
        RequestBodyStream attached = req == null ? null : RequestBodyStream.of(req, timeoutMs);
        if (attached != null && attached.spooling() && length < 0) {
            // chunked or HTTP/2 (whose frames, not headers, say whether a body follows): the spooled length tells
            try {
                length = attached.spooledLength();
            } catch (IOException e) {
                throw new GatewayException(400, "invalid_body", "The request body could not be read: the caller stopped sending it.");
            }
        }
        // RFC 9112 §6.3: without Content-Length or Transfer-Encoding a request has no body
        boolean hasBody = length > 0 || length < 0 && in.get("Transfer-Encoding") != null;
        if (length == 0 && bodyMethod(call.method)) {
            call.replayBody = new byte[0]; // an explicit empty body: POST/PUT/PATCH still say Content-Length: 0
        }
        InputStream is;
        if (req != null) {
            if (!hasBody) {
                return;
            }
            is = attached;
            if (is == null) {
                throw new IllegalStateException("the proxy's body route did not run for this request");
            }
        } else {
            Object body = m.getBody();
            is = body == null || !hasBody ? null : body instanceof InputStream s ? s : m.getBody(InputStream.class);
            if (is == null) {
                return;
            }
        }
        if (length >= 0 && length <= replayLimit) {
            try (InputStream small = is) {
                call.replayBody = small.readNBytes((int) length);
            }
            return;
        }
        call.stream = is;
        call.streamLength = length;
        call.replayable = false;
    }

    private static boolean bodyMethod(String method) {
        return method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
    }

    private static HttpEntity entity(Call call) {
        if (call.replayBody != null) {
            return new ByteArrayEntity(call.replayBody, call.contentType);
        }
        if (call.stream != null) {
            InputStream s = call.stream;
            call.stream = null; // a stream is sent once
            return new InputStreamEntity(s, call.streamLength, call.contentType);
        }
        return null;
    }

    private static void closeBody(Message m) {
        Object b = m.getBody();
        if (b instanceof InputStream is) {
            try {
                is.close(); // returns the pooled connection before the next try
            } catch (IOException ignored) {
                // the connection is discarded instead
            }
        }
        m.setBody(null);
    }

    private static void sleep(Call call, long ms) {
        call.waited += ms;
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException(504, "upstream_timeout", "Interrupted while waiting to retry.");
        }
    }

    /** Logs the call (async, never blocks), records metrics and last use. */
    private void finish(Call call, int status, Map<String, Object> responseHeaders, String ignored) {
        long durationMs = (System.nanoTime() - call.startNanos) / 1_000_000;
        String integration = call.integrationKey == null ? "unknown" : call.integrationKey;
        try {
            metrics.proxyCall(integration, status, Duration.ofMillis(durationMs));
            if (call.entry != null) {
                used.add(call.entry.connection().id());
            }
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("method", call.method);
            request.put("url", Redact.text((call.base == null ? "" : call.base) + (call.path == null ? "" : call.path)
                    + (call.rawQuery == null ? "" : "?" + call.rawQuery)));
            if (call.forward != null) {
                request.put("headers", redactHeaders(call.forward));
            }
            Map<String, Object> response = new LinkedHashMap<>();
            response.put("status", status);
            if (responseHeaders != null) {
                response.put("headers", redactHeaders(responseHeaders));
            }
            boolean ok = status < 400;
            log.submit(new Operation("proxy", "proxy", ok ? "success" : "failed", call.integrationKey, call.connectionId,
                    call.method + " " + (call.path == null ? "" : Redact.text(call.path)) + " -> " + status,
                    ok ? null : call.error != null ? call.error : "upstream_" + status, status, call.attempts, durationMs,
                    request, response, null, call.startMs, call.startMs + durationMs));
        } catch (RuntimeException e) {
            LOG.warn("proxy call bookkeeping failed; integration={} route=api-proxy reason={}", integration, e.getClass().getSimpleName());
        }
    }

    private static Map<String, Object> redactHeaders(Map<String, Object> h) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : h.entrySet()) {
            String lower = e.getKey().toLowerCase(Locale.ROOT);
            boolean secret = lower.equals("authorization") || lower.equals("cookie") || lower.equals("set-cookie")
                    || lower.contains("token") || lower.contains("secret") || lower.contains("api-key") || lower.equals("x-api-key");
            out.put(e.getKey(), secret ? "REDACTED" : e.getValue() instanceof String s ? Redact.text(s) : String.valueOf(e.getValue()));
        }
        return out;
    }

    /** Writes last_used_at for the connections proxied since the last run, in one batch (the sweep reads it). */
    void flushUsed() {
        if (used.isEmpty() || store == null) {
            return;
        }
        List<Long> ids = new ArrayList<>(used);
        used.removeAll(ids);
        try {
            store.touchUsed(ids, clock.millis());
        } catch (RuntimeException e) {
            LOG.warn("could not record last use of {} connections; route=api-proxy reason={}", ids.size(), e.getClass().getSimpleName());
        }
    }

    @Override
    public void close() {
        flushUsed();
        touch.shutdownNow();
    }
}
