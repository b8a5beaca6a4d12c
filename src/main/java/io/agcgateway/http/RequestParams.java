package io.agcgateway.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;

/**
 * The one way the API beans read URI path parameters ({@code {connectionId}}, {@code {uniqueKey}}...) and the query
 * string, so a control character in either is refused here (400 {@code invalid_uri_params} / {@code invalid_query_params},
 * Nango's codes) before it can reach a store or an operation row. Browser routes turn the same errors into their HTML page.
 */
public final class RequestParams {
    private RequestParams() {
    }

    /** A path parameter of the route's URI template, as platform-http decoded it into the header of that name. */
    public static String path(Exchange ex, String name) {
        String v = ex.getMessage().getHeader(name, String.class);
        int at = ControlChars.find(v, false);
        if (at >= 0) {
            throw invalid("invalid_uri_params", name, "The path parameter '" + name + "' contains a control character ("
                    + ControlChars.name(v.charAt(at)) + ").");
        }
        return v;
    }

    /**
     * The decoded query string; the first value of a repeated key wins. Read from the raw query rather than the headers
     * platform-http copies it into, because request headers land there too (a browser's {@code Connection: keep-alive}).
     */
    public static Map<String, String> query(Exchange ex) {
        String raw = ex.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String part : raw.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String k;
            String v;
            try {
                k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
                v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException malformed) {
                throw invalid("invalid_query_params", null, "The query string has a malformed percent-encoding.");
            }
            int at = ControlChars.find(k, false);
            if (at >= 0) {
                throw invalid("invalid_query_params", null, "A query parameter name contains a control character ("
                        + ControlChars.name(k.charAt(at)) + ").");
            }
            at = ControlChars.find(v, false);
            if (at >= 0) {
                throw invalid("invalid_query_params", k, "The query parameter '" + k + "' contains a control character ("
                        + ControlChars.name(v.charAt(at)) + ").");
            }
            out.putIfAbsent(k, v);
        }
        return out;
    }

    private static GatewayException invalid(String code, String param, String message) {
        return new GatewayException(400, code, message,
                List.of(Map.of("code", "invalid_string", "message", message, "path", param == null ? List.of() : List.of(param))));
    }
}
