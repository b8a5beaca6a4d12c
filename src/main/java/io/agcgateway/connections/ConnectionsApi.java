package io.agcgateway.connections;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.http.GatewayException;
import io.agcgateway.http.HttpReply;
import io.agcgateway.http.Json;
import io.agcgateway.http.RequestBody;
import io.agcgateway.http.RequestParams;
import io.agcgateway.integrations.Integration;
import io.agcgateway.integrations.IntegrationStore;
import io.agcgateway.logs.Operation;
import io.agcgateway.logs.OperationLog;
import io.agcgateway.refresh.RefreshService;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;

/** The connections API as @nangohq/node 0.71.10 calls it (nango-wire-format §2.3, §2.6). */
public final class ConnectionsApi {
    private static final Set<String> GET_QUERY = Set.of("provider_config_key", "force_refresh", "refresh_token", "refresh_github_app_jwt_token");
    private static final Set<String> LIST_QUERY = Set.of("connectionId", "endUserId", "endUserOrganizationId", "integrationId", "search",
            "limit", "page");
    private static final Set<String> METADATA_BODY = Set.of("metadata", "connection_id", "provider_config_key");
    private static final Set<String> IMPORT_BODY = Set.of("provider_config_key", "connection_id", "credentials", "connection_config",
            "metadata", "webhook_url_override", "end_user", "tags");
    private static final Set<String> IMPORT_CREDENTIALS = Set.of("type", "access_token", "refresh_token", "expires_at", "config_override",
            "raw");
    private static final Set<String> LEGACY_BODY = Set.of("provider_config_key", "connection_id", "access_token", "refresh_token",
            "expires_at", "expires_in", "no_expiration", "raw", "connection_config", "metadata", "oauth_client_id_override",
            "oauth_client_secret_override", "webhook_url_override");

    private final ConnectionStore store;
    private final IntegrationStore integrations;
    private final TokenCipher cipher;
    private final RefreshService refresh;
    private final RequestBody bodies;
    private final OperationLog log;
    private final Clock clock;

    public ConnectionsApi(ConnectionStore store, IntegrationStore integrations, TokenCipher cipher, RefreshService refresh,
                          RequestBody bodies, OperationLog log, Clock clock) {
        this.store = store;
        this.integrations = integrations;
        this.cipher = cipher;
        this.refresh = refresh;
        this.bodies = bodies;
        this.log = log;
        this.clock = clock;
    }

    // ---- GET /connections ----

    public void list(Exchange ex) {
        Map<String, String> q = query(ex, LIST_QUERY, true);
        int limit = number(q.get("limit"), 10_000, 1, 10_000, "limit");
        int page = number(q.get("page"), 0, 0, 1_000_000, "page");
        Set<String> keys = q.get("integrationId") == null ? null : Set.of(q.get("integrationId").split(","));
        String search = q.get("search") == null ? null : q.get("search").toLowerCase(Locale.ROOT);
        List<Map<String, Object>> out = new ArrayList<>();
        long after = 0;
        int skipped = 0;
        while (out.size() < limit) {
            List<Connection> batch = store.list(null, q.get("connectionId"), q.get("endUserId"), after, 500);
            if (batch.isEmpty()) {
                break;
            }
            for (Connection c : batch) {
                after = c.id();
                if (keys != null && !keys.contains(c.integrationKey())
                        || search != null && !(c.connectionId().toLowerCase(Locale.ROOT).contains(search)
                        || c.endUser() != null && c.endUser().toLowerCase(Locale.ROOT).contains(search))
                        || !tagsMatch(c, q)
                        || q.get("endUserOrganizationId") != null && !orgOf(c).equals(q.get("endUserOrganizationId"))) {
                    continue;
                }
                if (skipped < (long) page * limit) {
                    skipped++;
                    continue;
                }
                if (out.size() < limit) {
                    out.add(ConnectionView.summary(c));
                }
            }
        }
        reply(ex, 200, Map.of("connections", out));
    }

    // ---- /connections/{id} ----

    public void get(Exchange ex) {
        Map<String, String> q = query(ex, GET_QUERY, false);
        boolean force = bool(q, "force_refresh");
        boolean withRefreshToken = bool(q, "refresh_token");
        bool(q, "refresh_github_app_jwt_token");
        Connection c = existing(q.get("provider_config_key"), id(ex));
        c = refresh.ensureFresh(c, force);
        store.markFetched(c.id(), clock.millis());
        Connection fresh = store.findById(c.id());
        reply(ex, 200, ConnectionView.full(fresh == null ? c : fresh, cipher, withRefreshToken));
    }

    public void delete(Exchange ex) {
        Map<String, String> q = query(ex, Set.of("provider_config_key"), false);
        Connection c = existing(q.get("provider_config_key"), id(ex));
        long now = clock.millis();
        store.delete(c, now);
        log.submit(Operation.success("auth", "connection_delete", c.integrationKey(), c.connectionId(), "Connection deleted", now, now, null));
        reply(ex, 200, Map.of("success", true));
    }

    /** POST sets (replaces) the metadata, PATCH merges into it (Nango's setMetadata / updateMetadata). */
    public void metadata(Exchange ex) {
        boolean merge = "PATCH".equals(ex.getMessage().getHeader(Exchange.HTTP_METHOD, String.class));
        ObjectNode body = bodies.object(ex, METADATA_BODY);
        String key = RequestBody.required(body, "provider_config_key", 255, "provider_config_key");
        JsonNode md = body.get("metadata");
        if (md == null || !md.isObject()) {
            throw GatewayException.invalidBody("metadata", "'metadata' must be an object.");
        }
        JsonNode ids = body.get("connection_id");
        List<String> connectionIds = new ArrayList<>();
        if (ids != null && ids.isTextual()) {
            connectionIds.add(RequestBody.checked(ids.asText(), "connection_id"));
        } else if (ids != null && ids.isArray() && !ids.isEmpty()) {
            ids.forEach(i -> connectionIds.add(RequestBody.checked(i.asText(), "connection_id." + connectionIds.size())));
        } else {
            throw GatewayException.invalidBody("connection_id", "'connection_id' must be a string or a list of strings.");
        }
        List<Connection> found = new ArrayList<>();
        for (String id : connectionIds) {
            found.add(existing(key, id));
        }
        long now = clock.millis();
        for (Connection c : found) {
            Map<String, Object> next = new LinkedHashMap<>();
            if (merge && c.metadata() != null) {
                Map<String, Object> old = Json.toMap(Json.read(c.metadata()));
                if (old != null) {
                    next.putAll(old);
                }
            }
            next.putAll(Json.toMap(md));
            store.setMetadata(c.id(), Json.write(next), now);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("connection_id", ids.isTextual() ? ids.asText() : connectionIds);
        out.put("provider_config_key", key);
        out.put("metadata", Json.toMap(md));
        reply(ex, merge ? 200 : 201, out);
    }

    /** PATCH /connections/{id}?provider_config_key= (patchConnection): end_user, tags, webhook_url_override. */
    public void patch(Exchange ex) {
        Map<String, String> q = query(ex, Set.of("provider_config_key"), false);
        Connection c = existing(q.get("provider_config_key"), id(ex));
        ObjectNode body = bodies.object(ex, Set.of("end_user", "tags", "webhook_url_override"));
        String endUser = object(body, "end_user");
        String tags = object(body, "tags");
        String webhook = RequestBody.string(body, "webhook_url_override", 2000, "webhook_url_override");
        if (webhook != null && !webhook.matches("^https?://\\S+$")) {
            throw GatewayException.invalidBody("webhook_url_override", "'webhook_url_override' must be an http(s) URL.");
        }
        store.jdbc().update("UPDATE connections SET end_user=COALESCE(?, end_user), tags=COALESCE(?, tags), "
                + "webhook_url_override=COALESCE(?, webhook_url_override), updated_at=? WHERE id=?", endUser, tags, webhook,
                clock.millis(), c.id());
        reply(ex, 200, Map.of("success", true));
    }

    public void methodNotAllowed(Exchange ex) {
        throw new GatewayException(405, "method_not_allowed", "This method is not allowed on this path.");
    }

    // ---- import ----

    /** POST /connections: 201 with the full connection; an existing (integration, connection id) is a 409, never overwritten. */
    public void importConnection(Exchange ex) {
        ObjectNode body = bodies.object(ex, IMPORT_BODY);
        String key = RequestBody.required(body, "provider_config_key", 255, "provider_config_key");
        Integration integration = integrations.find(key);
        if (integration == null) {
            throw GatewayException.notFound("not_found", "Integration does not exist");
        }
        String connectionId = RequestBody.string(body, "connection_id", 255, "connection_id");
        connectionId = connectionId == null ? java.util.UUID.randomUUID().toString() : connectionId;
        JsonNode creds = body.get("credentials");
        if (creds == null || !creds.isObject()) {
            throw GatewayException.invalidBody("credentials", "'credentials' must be an object.");
        }
        RequestBody.rejectUnknown(creds, IMPORT_CREDENTIALS, "credentials.");
        String type = RequestBody.required(creds, "type", 20, "credentials.type");
        if (!"OAUTH2".equals(type)) {
            throw GatewayException.invalidBody("credentials.type", "'credentials.type' must be OAUTH2.");
        }
        String at = RequestBody.required(creds, "access_token", 60_000, "credentials.access_token");
        String rt = RequestBody.string(creds, "refresh_token", 60_000, "credentials.refresh_token");
        Long expiresAt = instant(RequestBody.string(creds, "expires_at", 64, "credentials.expires_at"), "credentials.expires_at");
        insert(ex, integration, connectionId, at, rt, Json.write(creds), expiresAt, object(body, "connection_config"),
                object(body, "metadata"), object(body, "end_user"), object(body, "tags"),
                RequestBody.string(body, "webhook_url_override", 2000, "webhook_url_override"));
        reply(ex, 201, ConnectionView.full(store.find(key, connectionId), cipher, true));
    }

    /** Deprecated POST /connection: Nango echoes the body with the connection id. */
    public void legacyCreate(Exchange ex) {
        ObjectNode body = bodies.object(ex, LEGACY_BODY);
        String key = RequestBody.required(body, "provider_config_key", 255, "provider_config_key");
        Integration integration = integrations.find(key);
        if (integration == null) {
            throw new GatewayException(400, "unknown_provider_config", "Provider does not exists");
        }
        String at = RequestBody.string(body, "access_token", 60_000, "access_token");
        if (at == null || at.isBlank()) {
            throw new GatewayException(400, "missing_access_token", "Missing access token.");
        }
        Long expiresAt;
        if (body.hasNonNull("expires_at")) {
            expiresAt = instant(RequestBody.string(body, "expires_at", 64, "expires_at"), "expires_at");
            if (expiresAt == null) {
                throw new GatewayException(400, "invalid_expires_at", "Invalid expires_at.");
            }
        } else if (body.hasNonNull("expires_in")) {
            if (!body.get("expires_in").canConvertToLong()) {
                throw new GatewayException(400, "invalid_expires_at", "Invalid expires_in.");
            }
            expiresAt = clock.millis() + body.get("expires_in").asLong() * 1000;
        } else if (body.path("no_expiration").asBoolean(false)) {
            expiresAt = null;
        } else {
            throw new GatewayException(400, "missing_expires_at", "Missing expires_at (or expires_in, or no_expiration: true).");
        }
        String connectionId = RequestBody.string(body, "connection_id", 255, "connection_id");
        connectionId = connectionId == null ? java.util.UUID.randomUUID().toString() : connectionId;
        Map<String, Object> raw = body.get("raw") != null && body.get("raw").isObject() ? Json.toMap(body.get("raw")) : Json.toMap(body);
        insert(ex, integration, connectionId, at, RequestBody.string(body, "refresh_token", 60_000, "refresh_token"), Json.write(raw),
                expiresAt, object(body, "connection_config"), object(body, "metadata"), null, null,
                RequestBody.string(body, "webhook_url_override", 2000, "webhook_url_override"));
        Map<String, Object> echo = new LinkedHashMap<>(Json.toMap(body));
        echo.put("connection_id", connectionId);
        reply(ex, 201, echo);
    }

    private void insert(Exchange ex, Integration integration, String connectionId, String at, String rt, String rawJson, Long expiresAt,
                        String config, String metadata, String endUser, String tags, String webhookUrlOverride) {
        long now = clock.millis();
        try {
            store.insert(integration.id(), connectionId, cipher.encrypt(at, "access_token"), cipher.encrypt(rt, "refresh_token"),
                    cipher.encrypt(rawJson, "raw"), expiresAt, config == null ? "{}" : config, metadata, endUser, tags,
                    webhookUrlOverride, null, now);
        } catch (org.springframework.dao.DuplicateKeyException e) {
            throw new GatewayException(409, "connection_already_exists", "Connection '" + connectionId + "' already exists for integration '"
                    + integration.uniqueKey() + "'. Delete it first or re-authorise it through a connect session.");
        }
        log.submit(Operation.success("auth", "connection_import", integration.uniqueKey(), connectionId, "Connection imported", now, now, null));
    }

    // ---- helpers ----

    private Connection existing(String key, String connectionId) {
        if (key == null || key.isBlank()) {
            throw new GatewayException(400, "invalid_query_params", "provider_config_key is required.");
        }
        if (integrations.find(key) == null) {
            throw new GatewayException(400, "unknown_provider_config", "Provider does not exists");
        }
        Connection c = store.find(key, connectionId);
        if (c == null) {
            throw GatewayException.notFound("not_found", "Failed to find connection");
        }
        return c;
    }

    private static String id(Exchange ex) {
        return RequestParams.path(ex, "connectionId");
    }

    private static Map<String, String> query(Exchange ex, Set<String> allowed, boolean allowTags) {
        Map<String, String> q = RequestParams.query(ex);
        for (String k : q.keySet()) {
            if (!allowed.contains(k) && !(allowTags && k.matches("^tags\\[[^]]{1,100}]$"))) {
                throw new GatewayException(400, "invalid_query_params", "Unrecognized query parameter '" + k + "'.");
            }
        }
        return q;
    }

    private static boolean tagsMatch(Connection c, Map<String, String> q) {
        Map<String, Object> tags = c.tags() == null ? Map.of() : Json.toMap(Json.read(c.tags()));
        for (Map.Entry<String, String> e : q.entrySet()) {
            if (e.getKey().startsWith("tags[")) {
                String k = e.getKey().substring(5, e.getKey().length() - 1);
                Object v = tags == null ? null : tags.get(k);
                if (v == null || !String.valueOf(v).equals(e.getValue())) {
                    return false;
                }
            }
        }
        return true;
    }

    private static String orgOf(Connection c) {
        JsonNode eu = c.endUser() == null ? null : Json.read(c.endUser());
        return eu == null ? "" : eu.path("organization").path("id").asText("");
    }

    /** z.stringbool-like: true/false/1/0/yes/no/on/off; anything else is a 400. */
    private static boolean bool(Map<String, String> q, String key) {
        String v = q.get(key);
        if (v == null || v.isEmpty()) {
            return false;
        }
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on", "y", "enabled":
                return true;
            case "false", "0", "no", "off", "n", "disabled":
                return false;
            default:
                throw new GatewayException(400, "invalid_query_params", "'" + key + "' must be true or false.");
        }
    }

    private static int number(String v, int dflt, int min, int max, String key) {
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new GatewayException(400, "invalid_query_params", "'" + key + "' must be a number from " + min + " to " + max + ".");
    }

    private static Long instant(String v, String path) {
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse(v).toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(v).toInstant().toEpochMilli();
            } catch (DateTimeParseException e2) {
                throw GatewayException.invalidBody(path, "'" + path + "' must be an ISO-8601 date.");
            }
        }
    }

    private static String object(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw GatewayException.invalidBody(field, "'" + field + "' must be an object.");
        }
        return Json.write(v);
    }

    private static void reply(Exchange ex, int status, Object body) {
        ex.setProperty(HttpReply.STATUS, status);
        ex.getMessage().setBody(body);
    }
}
