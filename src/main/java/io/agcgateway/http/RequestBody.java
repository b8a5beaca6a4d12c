package io.agcgateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Set;
import org.apache.camel.Exchange;

/** Reads and checks an API request body: JSON content type, size limit, one object, no unknown fields. */
public final class RequestBody {
    private final int maxBytes;

    public RequestBody(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    public ObjectNode object(Exchange exchange, Set<String> allowedFields) {
        String ct = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        if (ct == null || !ct.toLowerCase().strip().startsWith("application/json")) {
            throw new GatewayException(415, "unsupported_media_type", "The request body must be sent with Content-Type: application/json.");
        }
        byte[] raw = exchange.getMessage().getBody(byte[].class);
        if (raw != null && raw.length > maxBytes) {
            throw new GatewayException(413, "payload_too_large", "The request body is larger than " + maxBytes + " bytes.");
        }
        ObjectNode node = Json.requestObject(raw == null ? null : new String(raw, java.nio.charset.StandardCharsets.UTF_8));
        rejectUnknown(node, allowedFields, "");
        return node;
    }

    public static void rejectUnknown(JsonNode node, Set<String> allowed, String prefix) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw GatewayException.invalidBody(prefix + f, "Unrecognized key '" + prefix + f + "' in the request body.");
            }
        }
    }

    /** Optional string field with a length limit; null when absent or JSON null. */
    public static String string(JsonNode node, String field, int maxLen, String path) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw GatewayException.invalidBody(path, "'" + path + "' must be a string.");
        }
        String s = v.asText();
        if (s.length() > maxLen) {
            throw GatewayException.invalidBody(path, "'" + path + "' must be at most " + maxLen + " characters.");
        }
        return s;
    }

    public static String required(JsonNode node, String field, int maxLen, String path) {
        String s = string(node, field, maxLen, path);
        if (s == null || s.isBlank()) {
            throw GatewayException.invalidBody(path, "'" + path + "' is required.");
        }
        return s;
    }
}
