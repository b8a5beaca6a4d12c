package io.agcgateway.http;

import java.util.List;
import java.util.Map;

/** A gateway-side failure answered as {@code {"error":{"code","message"}}} with its HTTP status (docs/ARCHITECTURE.md "API and errors"). */
public class GatewayException extends RuntimeException {
    private final int status;
    private final String code;
    private final List<Map<String, Object>> errors;
    private final int retryAfterSeconds;
    private final Map<String, Object> payload;

    public GatewayException(int status, String code, String message) {
        this(status, code, message, null);
    }

    public GatewayException(int status, String code, String message, List<Map<String, Object>> errors) {
        this(status, code, message, errors, 0, null);
    }

    private GatewayException(int status, String code, String message, List<Map<String, Object>> errors, int retryAfterSeconds,
                             Map<String, Object> payload) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.errors = errors;
        this.retryAfterSeconds = retryAfterSeconds;
        this.payload = payload;
    }

    /** The same failure, answered with {@code Retry-After} (overload: come back in that many seconds). */
    public GatewayException retryAfter(int seconds) {
        return new GatewayException(status, code, getMessage(), errors, seconds, payload);
    }

    /** A failure answered with Nango's {@code error.payload} (e.g. the connection of a failed refresh). */
    public static GatewayException withPayload(int status, String code, String message, Map<String, Object> payload) {
        return new GatewayException(status, code, message, null, 0, payload);
    }

    /** {@code error.payload}, or null. */
    public Map<String, Object> payload() {
        return payload;
    }

    /** Seconds for the {@code Retry-After} header; 0 = none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public List<Map<String, Object>> errors() {
        return errors;
    }

    public static GatewayException invalidBody(String path, String message) {
        return new GatewayException(400, "invalid_body", message,
                List.of(Map.of("code", "invalid", "message", message, "path", path == null ? List.of() : List.of(path.split("\\.")))));
    }

    public static GatewayException notFound(String code, String message) {
        return new GatewayException(404, code, message);
    }
}
