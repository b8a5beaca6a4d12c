package io.agcgateway.publisher;

import io.agcgateway.http.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The three messages Nango's WebSocket publisher sends (clients/publisher.client.ts) and that @nangohq/frontend
 * waits for: connection_ack, success, error. Pure: the socket handling lives in {@link Publisher}.
 */
public final class WsMessages {
    /** The SDK echoes the id it got in connection_ack; anything else in the query is not ours and is ignored. */
    private static final Pattern CLIENT_ID = Pattern.compile("^[A-Za-z0-9-]{1,64}$");

    private WsMessages() {
    }

    public static String ack(String wsClientId) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("message_type", "connection_ack");
        m.put("ws_client_id", wsClientId);
        return Json.write(m);
    }

    public static String success(String providerConfigKey, String connectionId) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("message_type", "success");
        m.put("provider_config_key", providerConfigKey);
        m.put("connection_id", connectionId);
        m.put("is_pending", false);
        return Json.write(m);
    }

    /** @param errorType the gateway's error code; sent as Nango's WSErr type (utils/web-socket-error.ts) */
    public static String error(String providerConfigKey, String connectionId, String errorType, String description) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("message_type", "error");
        m.put("provider_config_key", providerConfigKey);
        m.put("connection_id", connectionId);
        m.put("error_type", nangoErrorType(errorType));
        m.put("error_desc", description);
        return Json.write(m);
    }

    /** Our codes that Nango names differently; the rest (callback_err, provider_config_err, url_param_err...) match. */
    static String nangoErrorType(String errorType) {
        if (errorType == null) {
            return "unknown_err";
        }
        return switch (errorType) {
            case "invalid_state" -> "state_err";
            case "token_exchange_failed", "unable_to_parse_token_response" -> "token_err";
            default -> errorType;
        };
    }

    /** The ws_client_id of a /oauth/connect query, or null when absent or not an id we could have issued. */
    public static String clientId(String raw) {
        return raw != null && CLIENT_ID.matcher(raw).matches() ? raw : null;
    }
}
