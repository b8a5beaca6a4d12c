package io.agcgateway.proxy;

import io.agcgateway.http.GatewayException;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.hc.core5.http.ContentType;

/** Reads the caller's request into a {@link ProxyCall}, or refuses it with a 4xx naming what is wrong. Pure. */
final class ProxyRequest {
    private static final Pattern PROVIDER_CONFIG_KEY = Pattern.compile("^[a-zA-Z0-9~:.@ _-]{1,255}$");
    private static final Pattern CONNECTION_ID = Pattern.compile("^[a-zA-Z0-9,.;:=+~\\[\\]|@${}\"'\\\\/_ -]{1,255}$");
    private static final Pattern RETRY_ON = Pattern.compile("^\\d{3}(,\\d{3})*$");
    /**
     * Every method is forwarded (WebDAV's PROPFIND and REPORT included, as Nango does) except the two that are about the
     * connection to the proxy itself: TRACE would echo the bearer token back, CONNECT opens a tunnel.
     */
    private static final Set<String> REFUSED_METHODS = Set.of("TRACE", "CONNECT");
    private static final Pattern METHOD = Pattern.compile("^[A-Z][A-Z0-9_-]{0,31}$");

    private ProxyRequest() {
    }

    static ProxyCall read(HttpServerRequest req, long nowMs, int maxRetries) {
        MultiMap in = req.headers();
        String method = req.method().name().toUpperCase(Locale.ROOT);
        String integrationKey = selector(in, "Provider-Config-Key", PROVIDER_CONFIG_KEY);
        String connectionId = selector(in, "Connection-Id", CONNECTION_ID);
        if (REFUSED_METHODS.contains(method) || !METHOD.matcher(method).matches()) {
            throw new GatewayException(405, "method_not_supported", "The proxy does not support the HTTP method " + method + ".");
        }
        String uri = req.uri();
        int q = uri.indexOf('?');
        String rawPath = q < 0 ? uri : uri.substring(0, q);
        String rawQuery = q < 0 || q == uri.length() - 1 ? null : uri.substring(q + 1);
        if (!rawPath.startsWith("/proxy/")) {
            throw new GatewayException(400, "invalid_proxy_path", "The proxy path is empty: call /proxy/<provider API path>.");
        }
        String ct = in.get("Content-Type");
        if (ct != null && !ct.isBlank()) {
            try {
                ContentType.parse(ct);
            } catch (RuntimeException e) {
                throw invalidHeaders("Content-Type", "The Content-Type header is malformed.");
            }
        }
        contentLength(in);
        return new ProxyCall(nowMs, req, method, integrationKey, connectionId, rawPath.substring("/proxy".length()), rawQuery,
                retries(in.get("Retries"), maxRetries), retryOn(in.get("Retry-On")), ProxyHeaders.forward(in),
                in.get("Base-Url-Override"), "true".equalsIgnoreCase(String.valueOf(in.get("Forward-Headers-On-Redirect")).trim()));
    }

    /** The declared body length; -1 when not declared (chunked, HTTP/2 frames, or no body). */
    static long contentLength(MultiMap in) {
        String cl = in.get("Content-Length");
        if (cl == null) {
            return -1;
        }
        try {
            long n = Long.parseLong(cl.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw invalidHeaders("Content-Length", "The Content-Length header is not a number.");
        }
    }

    /** The base URL of this call: the catalog's, or an allow-listed Base-Url-Override. */
    static String base(TokenCache.Entry entry, String override) {
        String base = entry.provider().proxyBaseUrl();
        if (override != null && !override.isBlank()) {
            String o = trimSlash(override.trim());
            if (entry.provider().allowedBaseUrls().stream().noneMatch(a -> trimSlash(a).equals(o))) {
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

    /**
     * An absolute endpoint (a Jira {@code self} link: {@code /proxy/https://api.../ex/jira/...}) that starts with the
     * call's base URL is made relative to it, as Nango does; any other absolute URL is refused — the caller never
     * picks the host.
     */
    static String relative(String rawPath, String base) {
        String p = rawPath.substring(1);
        if (!p.regionMatches(true, 0, "http://", 0, 7) && !p.regionMatches(true, 0, "https://", 0, 8)) {
            return rawPath;
        }
        if (p.equals(base)) {
            return "/";
        }
        if (p.startsWith(base + "/")) {
            return p.substring(base.length());
        }
        throw new GatewayException(400, "invalid_proxy_path",
                "An absolute endpoint must start with the provider's base URL " + base + ".");
    }

    private static String trimSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
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

    static GatewayException invalidHeaders(String header, String message) {
        return new GatewayException(400, "invalid_headers", message,
                List.of(Map.of("code", "invalid", "message", message, "path", List.of(header.toLowerCase(Locale.ROOT)))));
    }

    private static int retries(String v, int maxRetries) {
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
}
