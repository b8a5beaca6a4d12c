package io.agcgateway.proxy;

import io.agcgateway.catalog.ProviderCatalog;
import io.agcgateway.http.GatewayException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * The catalog's {@code proxy.headers} for one connection: {@code ${connectionConfig.key}} filled from its
 * connection_config (the catalog allows no other placeholder). Pure.
 */
final class CatalogHeaders {
    private CatalogHeaders() {
    }

    static Map<String, Object> resolve(Map<String, String> template, Map<String, Object> connectionConfig) {
        if (template.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        template.forEach((name, value) -> out.put(name, fill(name, value, connectionConfig)));
        return out;
    }

    private static String fill(String name, String value, Map<String, Object> config) {
        Matcher m = ProviderCatalog.HEADER_PLACEHOLDER.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Object v = ProxyPath.lookup(config, m.group(1));
            if (v == null || v instanceof Map || v instanceof java.util.Collection) {
                throw new GatewayException(400, "missing_connection_config", "The provider's proxy header " + name
                        + " names connectionConfig." + m.group(1) + " but the connection's connection_config has no such value.");
            }
            String text = String.valueOf(v);
            if (text.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                // a line break in a header value would start another header (RFC 9110 §5.5)
                throw new GatewayException(400, "invalid_connection_config", "The connection's connectionConfig." + m.group(1)
                        + " holds control characters and cannot go into the provider's proxy header " + name + ".");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(text));
        }
        m.appendTail(out);
        return out.toString();
    }
}
