package io.agcgateway.connections;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.http.Json;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A connection's tags as Nango fills them from a connect session (endUser.service buildTagsFromEndUser), lowest to
 * highest priority: end_user_id, end_user_email, end_user_display_name; organization_id, organization_display_name;
 * end_user.tags (keys lower-cased); then the explicit tags. So listConnections({tags:{end_user_email}}) finds them.
 */
public final class EndUserTags {
    private EndUserTags() {
    }

    /** @return the merged tags, or null when none of the three inputs is given (the row's tags are then kept) */
    public static Map<String, String> merge(JsonNode endUser, JsonNode organization, JsonNode explicit) {
        if (absent(endUser) && absent(organization) && absent(explicit)) {
            return null;
        }
        Map<String, String> tags = new LinkedHashMap<>();
        if (!absent(endUser)) {
            put(tags, "end_user_id", endUser.get("id"));
            put(tags, "end_user_email", endUser.get("email"));
            put(tags, "end_user_display_name", endUser.get("display_name"));
        }
        if (!absent(organization)) {
            put(tags, "organization_id", organization.get("id"));
            put(tags, "organization_display_name", organization.get("display_name"));
        }
        if (!absent(endUser) && endUser.get("tags") != null && endUser.get("tags").isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = endUser.get("tags").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                put(tags, e.getKey().toLowerCase(Locale.ROOT), e.getValue());
            }
        }
        if (!absent(explicit) && explicit.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = explicit.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                put(tags, e.getKey(), e.getValue());
            }
        }
        return tags;
    }

    /** {@link #merge} as JSON text, or null. */
    public static String mergeJson(JsonNode endUser, JsonNode organization, JsonNode explicit) {
        Map<String, String> tags = merge(endUser, organization, explicit);
        return tags == null ? null : Json.write(tags);
    }

    private static void put(Map<String, String> tags, String key, JsonNode value) {
        // Nango keeps string values only, and drops empty ones
        if (value != null && value.isTextual() && !value.asText().isEmpty()) {
            tags.put(key, value.asText());
        }
    }

    private static boolean absent(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode();
    }
}
