package io.agcgateway.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.http.Json;
import java.util.ArrayList;
import java.util.List;

/** A stored connect session (a row of connect_sessions); JSON columns as text. */
public record ConnectSession(long id, String endUser, String organization, String allowedIntegrations, String configDefaults,
                             String tags, String webhookUrlOverride, String reconnectConnectionId, Long reconnectIntegrationId,
                             long createdAt, long expiresAt, Long usedAt, String overrides) {
    public List<String> allowed() {
        JsonNode n = Json.read(allowedIntegrations);
        if (n == null || !n.isArray()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        n.forEach(v -> out.add(v.asText()));
        return out;
    }

    /** integrations_config_defaults[key].connection_config, or null. */
    public JsonNode defaultsFor(String key) {
        JsonNode n = Json.read(configDefaults);
        return n == null ? null : n.get(key);
    }
}
