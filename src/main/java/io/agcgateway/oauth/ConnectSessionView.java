package io.agcgateway.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.http.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/** The parts of Nango's ConnectSessionOutput (types/lib/connect/api.ts) that GET /connect/session adds in camelCase. */
final class ConnectSessionView {
    /** Nango's ConnectUISettings: our Connect UI has one look; these are the values its SDK expects to find. */
    static final Map<String, Object> CONNECT_UI_SETTINGS = Map.of(
            "theme", Map.of("light", Map.of("primary", "#0052cc"), "dark", Map.of("primary", "#4c9aff")),
            "defaultTheme", "system", "showWatermark", false);

    /** Nango's ApiEndUser: every field present, null when unknown. */
    static Map<String, Object> apiEndUser(ConnectSession s) {
        if (s.endUser() == null) {
            return null;
        }
        JsonNode eu = Json.read(s.endUser());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", eu.path("id").asText(null));
        out.put("display_name", eu.path("display_name").asText(null));
        out.put("email", eu.path("email").asText(null));
        out.put("tags", eu.has("tags") ? Json.toMap(eu.get("tags")) : null);
        JsonNode org = s.organization() == null ? null : Json.read(s.organization());
        Map<String, Object> o = null;
        if (org != null && org.has("id")) {
            o = new LinkedHashMap<>();
            o.put("id", org.path("id").asText());
            o.put("display_name", org.path("display_name").asText(null));
        }
        out.put("organization", o);
        return out;
    }

    private ConnectSessionView() {
    }
}
