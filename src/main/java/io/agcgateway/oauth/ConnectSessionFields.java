package io.agcgateway.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agcgateway.connections.EndUserTags;
import io.agcgateway.http.GatewayException;
import io.agcgateway.http.Json;
import io.agcgateway.http.RequestBody;
import io.agcgateway.integrations.IntegrationStore;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The checked body of a connect session request; JSON values as text, null when not given. */
record ConnectSessionFields(String endUser, String organization, String defaults, String overrides, String tags,
                            String webhookUrlOverride) {
    private static final Set<String> END_USER = Set.of("id", "email", "display_name", "tags");
    private static final Set<String> ORGANIZATION = Set.of("id", "display_name");
    private static final Set<String> DEFAULTS = Set.of("user_scopes", "authorization_params", "connection_config");

    /** The fields both POST /connect/sessions and /connect/sessions/reconnect take, checked. */
    static ConnectSessionFields of(ObjectNode body, boolean endUserRequired) {
        JsonNode endUser = body.get("end_user");
        JsonNode tags = body.get("tags");
        if (endUserRequired && (endUser == null || endUser.isNull()) && (tags == null || tags.isNull())) {
            throw GatewayException.invalidBody("end_user", "'end_user' is required unless 'tags' is given.");
        }
        String endUserJson = null;
        if (endUser != null && !endUser.isNull()) {
            if (!endUser.isObject()) {
                throw GatewayException.invalidBody("end_user", "'end_user' must be an object.");
            }
            RequestBody.rejectUnknown(endUser, END_USER, "end_user.");
            RequestBody.required(endUser, "id", 255, "end_user.id");
            RequestBody.string(endUser, "email", 255, "end_user.email");
            RequestBody.text(endUser, "display_name", 255, "end_user.display_name");
            stringMap(endUser.get("tags"), "end_user.tags");
            endUserJson = Json.write(endUser);
        }
        JsonNode org = body.get("organization");
        String orgJson = null;
        if (org != null && !org.isNull()) {
            if (!org.isObject()) {
                throw GatewayException.invalidBody("organization", "'organization' must be an object.");
            }
            RequestBody.rejectUnknown(org, ORGANIZATION, "organization.");
            RequestBody.required(org, "id", 255, "organization.id");
            RequestBody.text(org, "display_name", 255, "organization.display_name");
            orgJson = Json.write(org);
        }
        stringMap(tags, "tags");
        JsonNode defaults = body.get("integrations_config_defaults");
        if (defaults != null && !defaults.isNull() && !defaults.isObject()) {
            throw GatewayException.invalidBody("integrations_config_defaults", "'integrations_config_defaults' must be an object.");
        }
        JsonNode overrides = body.get("overrides");
        if (overrides != null && !overrides.isNull() && !overrides.isObject()) {
            throw GatewayException.invalidBody("overrides", "'overrides' must be an object.");
        }
        String webhook = RequestBody.string(body, "webhook_url_override", 2000, "webhook_url_override");
        if (webhook != null && !webhook.matches("^https?://\\S+$")) {
            throw GatewayException.invalidBody("webhook_url_override", "'webhook_url_override' must be an http(s) URL.");
        }
        // Nango fills the connection's tags from the end user and organization; explicit tags win
        return new ConnectSessionFields(endUserJson, orgJson, defaults == null || defaults.isNull() ? null : Json.write(defaults),
                overrides == null || overrides.isNull() ? null : Json.write(overrides), EndUserTags.mergeJson(endUser, org, tags), webhook);
    }

    /** A connection's end_user holds its organization (see OAuthCallback.store); a session keeps the two apart. */
    ConnectSessionFields withEndUserOf(String connectionEndUser) {
        Map<String, Object> endUser = new LinkedHashMap<>(Json.toMap(Json.read(connectionEndUser)));
        Object organization = endUser.remove("organization");
        return new ConnectSessionFields(Json.write(endUser), organization() != null || organization == null ? organization()
                : Json.write(organization), defaults(), overrides(), tags(), webhookUrlOverride());
    }

    static void checkDefaultsKeys(JsonNode defaults, IntegrationStore integrations) {
        if (defaults == null || defaults.isNull()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = defaults.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = "integrations_config_defaults." + RequestBody.checked(e.getKey(), "integrations_config_defaults");
            if (integrations.find(e.getKey()) == null) {
                throw GatewayException.invalidBody(path, "Integration does not exist");
            }
            if (!e.getValue().isObject()) {
                throw GatewayException.invalidBody(path, "'" + path + "' must be an object.");
            }
            RequestBody.rejectUnknown(e.getValue(), DEFAULTS, path + ".");
            JsonNode cc = e.getValue().get("connection_config");
            if (cc != null && !cc.isNull() && !cc.isObject()) {
                throw GatewayException.invalidBody(path + ".connection_config", "'connection_config' must be an object.");
            }
        }
    }

    private static void stringMap(JsonNode n, String path) {
        if (n == null || n.isNull()) {
            return;
        }
        if (!n.isObject()) {
            throw GatewayException.invalidBody(path, "'" + path + "' must be an object of strings.");
        }
        n.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                throw GatewayException.invalidBody(path + "." + e.getKey(), "'" + path + "." + e.getKey() + "' must be a string.");
            }
        });
    }
}
