package io.agcgateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** One shared ObjectMapper and the strict parsing rules of the public API. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, false);

    private Json() {
    }

    private static final java.time.format.DateTimeFormatter ISO_MILLIS =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

    /** A timestamp as Nango writes it: always milliseconds and Z ({@code Instant.toString} drops a zero fraction). */
    public static String timestamp(long epochMillis) {
        return ISO_MILLIS.format(java.time.Instant.ofEpochMilli(epochMillis));
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    public static JsonNode read(String text) {
        if (text == null) {
            return null;
        }
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }

    /** Parses a request body that must be one JSON object, else a 400 invalid_body. */
    public static ObjectNode requestObject(String body) {
        if (body == null || body.isBlank()) {
            throw GatewayException.invalidBody(null, "The request body must be a JSON object.");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new GatewayException(400, "invalid_json", "The request body is not valid JSON: "
                    + e.getOriginalMessage().replaceAll("[\\r\\n]+", " "));
        }
        if (node == null || !node.isObject()) {
            throw GatewayException.invalidBody(null, "The request body must be a JSON object.");
        }
        return (ObjectNode) node;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> toMap(JsonNode node) {
        return node == null || node.isNull() ? null : MAPPER.convertValue(node, Map.class);
    }
}
