package io.agcgateway.proxy;

import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Which headers go upstream and which come back: pure rules, one set per kind. */
final class ProxyHeaders {
    /** Hop-by-hop (RFC 9110 §7.6.1, RFC 9112 §9.6): they describe one connection, never the message. */
    static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
            "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade");
    /** Our control headers (Nango's names): they steer the gateway and are never forwarded. */
    static final Set<String> CONTROL = Set.of("provider-config-key", "connection-id", "base-url-override", "retries",
            "retry-on", "decompress", "forward-headers-on-redirect", "nango-activity-log-id", "nango-is-sync",
            "nango-is-script", "nango-is-dry-run");
    /** The caller's credentials, framing and client name: the gateway sets its own (bearer token, Host, body length, User-Agent). */
    static final Set<String> REPLACED = Set.of("authorization", "cookie", "host", "content-length", "expect", "user-agent");
    private static final String PREFIX = "nango-proxy-";

    private ProxyHeaders() {
    }

    /**
     * The caller's headers to send upstream. {@code Nango-Proxy-X} forwards X (even Authorization, which then replaces
     * the connection's token) and wins over a plain X, as in Nango.
     */
    static Map<String, Object> forward(MultiMap in) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map.Entry<String, String>> prefixed = new ArrayList<>();
        for (Map.Entry<String, String> h : in.entries()) {
            String lower = h.getKey().toLowerCase(Locale.ROOT);
            if (lower.startsWith(PREFIX)) {
                prefixed.add(h);
            } else if (!dropped(lower) && !REPLACED.contains(lower) && !lower.startsWith("nango-")) {
                add(out, h.getKey(), h.getValue());
            }
        }
        for (Map.Entry<String, String> h : prefixed) {
            String name = h.getKey().substring(PREFIX.length());
            String lower = name.toLowerCase(Locale.ROOT);
            if (name.isEmpty() || dropped(lower) || lower.equals("host") || lower.equals("content-length") || lower.equals("expect")) {
                continue;
            }
            out.keySet().removeIf(k -> k.equalsIgnoreCase(name));
            add(out, lower.equals("authorization") ? "Authorization" : name, h.getValue());
        }
        return out;
    }

    /** True when the caller supplied its own Authorization (through Nango-Proxy-Authorization). */
    static boolean callerAuthorization(Map<String, Object> forward) {
        return forward.containsKey("Authorization");
    }

    /** Whether an upstream answer header is relayed to the caller. CORS is the gateway's own business. */
    static boolean relayed(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return !HOP_BY_HOP.contains(lower) && !lower.startsWith("camel") && !lower.startsWith("access-control-");
    }

    private static boolean dropped(String lower) {
        return HOP_BY_HOP.contains(lower) || CONTROL.contains(lower) || lower.startsWith("camel");
    }

    @SuppressWarnings("unchecked")
    private static void add(Map<String, Object> out, String name, String value) {
        for (Map.Entry<String, Object> e : out.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                if (e.getValue() instanceof List<?> l) {
                    ((List<String>) l).add(value);
                } else {
                    List<String> l = new ArrayList<>();
                    l.add((String) e.getValue());
                    l.add(value);
                    e.setValue(l);
                }
                return;
            }
        }
        out.put(name, value);
    }
}
