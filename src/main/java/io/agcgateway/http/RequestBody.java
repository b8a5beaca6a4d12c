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
            throw new GatewayException(413, "request_too_large", "The request body is larger than " + maxBytes + " bytes.");
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

    /** Optional string field (an id, key, URL or token) with a length limit and no control character; null when absent or JSON null. */
    public static String string(JsonNode node, String field, int maxLen, String path) {
        return string(node, field, maxLen, path, false);
    }

    /** Like {@link #string} for human text (display names), which may hold a TAB. */
    public static String text(JsonNode node, String field, int maxLen, String path) {
        return string(node, field, maxLen, path, true);
    }

    /** A string taken from the body some other way (list items, object keys) that is used as an id or key. */
    public static String checked(String s, String path) {
        return noControl(s, path, false);
    }

    private static String string(JsonNode node, String field, int maxLen, String path, boolean tabAllowed) {
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
        return noControl(s, path, tabAllowed);
    }

    private static String noControl(String s, String path, boolean tabAllowed) {
        int at = ControlChars.find(s, tabAllowed);
        if (at >= 0) {
            throw GatewayException.invalidBody(path, "'" + path + "' contains a control character (" + ControlChars.name(s.charAt(at)) + ").");
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
