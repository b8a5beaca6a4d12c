package io.agcgateway.connections;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.http.GatewayException;
import io.agcgateway.http.HttpReply;
import io.agcgateway.http.Json;
import io.agcgateway.http.RequestBody;
import io.agcgateway.http.RequestParams;
import io.agcgateway.integrations.IntegrationStore;
import io.agcgateway.logs.Operation;
import io.agcgateway.logs.OperationLog;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;

/** The connections API as @nangohq/node 0.71.10 calls it (nango-wire-format §2.3); imports are ConnectionImports. */
public final class ConnectionsApi {
    private static final Set<String> GET_QUERY = Set.of("provider_config_key", "force_refresh", "refresh_token", "refresh_github_app_jwt_token");
    private static final Set<String> LIST_QUERY = Set.of("connectionId", "endUserId", "endUserOrganizationId", "integrationId", "search",
            "limit", "page");
    private static final Set<String> METADATA_BODY = Set.of("metadata", "connection_id", "provider_config_key");

    // Nango's NangoError messages (refresh_token_external_error, connection_refresh_backoff), kept verbatim
    private static final String REFRESH_FAILED =
            "The external API returned an error when trying to refresh the access token. Please try again later.";
    private static final String REFRESH_BACKOFF = "A recent refresh attempt failed. Backing off before retrying.";

    private final ConnectionStore store;
    private final IntegrationStore integrations;
    private final TokenCipher cipher;
    /** Exchange property: the token is due, so the GET route refreshes through direct:refresh-connection. */
    public static final String REFRESH_DUE = "gatewayRefreshDue";
    private static final String WITH_REFRESH_TOKEN = "gatewayWithRefreshToken";

    private final Refresher refresher;
    private final RequestBody bodies;
    private final OperationLog log;
    private final Clock clock;

    public ConnectionsApi(ConnectionStore store, IntegrationStore integrations, TokenCipher cipher, Refresher refresher,
                          RequestBody bodies, OperationLog log, Clock clock) {
        this.store = store;
        this.integrations = integrations;
        this.cipher = cipher;
        this.refresher = refresher;
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

    /**
     * GET, first step: the connection (marked fetched) as the body. When its token is due, property {@value #REFRESH_DUE}
     * sends the route through direct:refresh-connection; a fresh token is served without that hop.
     */
    public void load(Exchange ex) {
        Map<String, String> q = query(ex, GET_QUERY, false);
        boolean force = bool(q, "force_refresh");
        ex.setProperty(WITH_REFRESH_TOKEN, bool(q, "refresh_token"));
        bool(q, "refresh_github_app_jwt_token");
        Connection c = existing(q.get("provider_config_key"), id(ex), null);
        store.markFetched(c.id(), clock.millis());
        Connection served;
        try {
            served = refresher.withoutRefresh(c, force);
        } catch (RefreshFailedException e) {
            throw invalidCredentials(e);
        }
        ex.setProperty(REFRESH_DUE, served == null);
        ex.setProperty(Refresher.FORCE, force);
        ex.getMessage().setBody(served == null ? c : served);
    }

    /**
     * GET, when direct:refresh-connection failed: a refresh that gave no usable token becomes Nango's
     * invalid_credentials; any other failure stays as it is. Left as the caught exception for httpReply.error: the
     * refresh route's error handler has already seen it, so this route's would not answer it again.
     */
    public void refreshFailed(Exchange ex) {
        Throwable t = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof RefreshFailedException rf) {
                ex.setProperty(Exchange.EXCEPTION_CAUGHT, invalidCredentials(rf));
                return;
            }
        }
    }

    /**
     * GET, last step: after a refresh, the row the refresh stored (an import may already be waiting for the lease to
     * replace it, and this caller asked for the refreshed token); otherwise the row as stored now.
     */
    public void view(Exchange ex) {
        Connection c = ex.getMessage().getBody(Connection.class);
        Connection fresh = Boolean.TRUE.equals(ex.getProperty(REFRESH_DUE, Boolean.class)) ? c : store.findById(c.id());
        reply(ex, 200, ConnectionView.full(fresh == null ? c : fresh, cipher,
                Boolean.TRUE.equals(ex.getProperty(WITH_REFRESH_TOKEN, Boolean.class))));
    }

    /**
     * Nango's answer when getConnection/getToken cannot refresh (getConnection.ts): {@code invalid_credentials} with the
     * connection, without credentials, as {@code payload.connection}; 400 for a refresh that failed, 424 while backing off.
     */
    private GatewayException invalidCredentials(RefreshFailedException e) {
        Connection now = store.findById(e.connection().id());
        Map<String, Object> connection = ConnectionView.full(now == null ? e.connection() : now, cipher, false);
        connection.remove("credentials");
        boolean backingOff = e.kind() == RefreshFailedException.Kind.BACKING_OFF;
        return GatewayException.withPayload(backingOff ? 424 : 400, "invalid_credentials", backingOff ? REFRESH_BACKOFF : REFRESH_FAILED,
                Map.of("connection", connection));
    }

    public void delete(Exchange ex) {
        Map<String, String> q = query(ex, Set.of("provider_config_key"), false);
        // Nango's deleteConnection answers an unknown connection 400 unknown_connection (GET answers 404 not_found)
        Connection c = existing(q.get("provider_config_key"), id(ex), new GatewayException(400, "unknown_connection", UNKNOWN_CONNECTION));
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
            // Nango: metadata on an unknown connection is 404 unknown_connection
            found.add(existing(key, id, GatewayException.notFound("unknown_connection", UNKNOWN_CONNECTION)));
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
        Connection c = existing(q.get("provider_config_key"), id(ex), null);
        ObjectNode body = bodies.object(ex, Set.of("end_user", "tags", "webhook_url_override"));
        String endUser = object(body, "end_user");
        object(body, "tags");
        // as Nango's patchConnection: tags from the new end user, then the given tags
        String tags = EndUserTags.mergeJson(body.get("end_user"), null, body.get("tags"));
        String webhook = RequestBody.string(body, "webhook_url_override", 2000, "webhook_url_override");
        if (webhook != null && !webhook.matches("^https?://\\S+$")) {
            throw GatewayException.invalidBody("webhook_url_override", "'webhook_url_override' must be an http(s) URL.");
        }
        store.patch(c.id(), endUser, tags, webhook, clock.millis());
        reply(ex, 200, Map.of("success", true));
    }

    public void methodNotAllowed(Exchange ex) {
        throw new GatewayException(405, "method_not_allowed", "This method is not allowed on this path.");
    }

    // ---- helpers ----

    private static final String UNKNOWN_CONNECTION =
            "No connection matching the provided params of 'connection_id' and 'provider_config_key'.";

    /** @param missing what an unknown connection answers (null: Nango's GET answer, 404 not_found) */
    private Connection existing(String key, String connectionId, GatewayException missing) {
        if (key == null || key.isBlank()) {
            throw new GatewayException(400, "invalid_query_params", "provider_config_key is required.");
        }
        if (integrations.find(key) == null) {
            throw new GatewayException(400, "unknown_provider_config", "Provider does not exists");
        }
        Connection c = store.find(key, connectionId);
        if (c == null) {
            throw missing != null ? missing : GatewayException.notFound("not_found", "Failed to find connection");
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

    /** tags[k]=v, every one must match; the SDK lower-cases k, so keys compare without case (values exactly). */
    private static boolean tagsMatch(Connection c, Map<String, String> q) {
        Map<String, Object> stored = c.tags() == null ? null : Json.toMap(Json.read(c.tags()));
        Map<String, Object> tags = new java.util.HashMap<>();
        if (stored != null) {
            stored.forEach((k, v) -> tags.putIfAbsent(k.toLowerCase(Locale.ROOT), v));
        }
        for (Map.Entry<String, String> e : q.entrySet()) {
            if (e.getKey().startsWith("tags[")) {
                String k = e.getKey().substring(5, e.getKey().length() - 1).toLowerCase(Locale.ROOT);
                Object v = tags.get(k);
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

    static String object(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw GatewayException.invalidBody(field, "'" + field + "' must be an object.");
        }
        return Json.write(v);
    }

    static void reply(Exchange ex, int status, Object body) {
        ex.setProperty(HttpReply.STATUS, status);
        ex.getMessage().setBody(body);
    }
}
