package io.agcgateway.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agcgateway.catalog.Provider;
import io.agcgateway.catalog.ProviderCatalog;
import io.agcgateway.connections.Connection;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.connections.EndUserTags;
import io.agcgateway.http.GatewayException;
import io.agcgateway.http.HttpReply;
import io.agcgateway.http.Json;
import io.agcgateway.http.RequestBody;
import io.agcgateway.http.RequestParams;
import io.agcgateway.integrations.Integration;
import io.agcgateway.integrations.IntegrationStore;
import io.agcgateway.logs.Operation;
import io.agcgateway.logs.OperationLog;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Nango connect sessions (POST /connect/sessions, /connect/sessions/reconnect, GET /connect/session) and the
 * hosted connect page. The token is shown once; only its SHA-256 is stored (docs/ARCHITECTURE.md "Secrets").
 */
public final class ConnectSessions {
    public static final Pattern TOKEN = Pattern.compile("^nango_connect_session_[a-f0-9]{64}$");
    private static final Set<String> BODY = Set.of("end_user", "organization", "allowed_integrations", "integrations_config_defaults",
            "overrides", "webhook_url_override", "tags");
    private static final Set<String> RECONNECT_BODY = Set.of("connection_id", "integration_id", "end_user", "organization",
            "integrations_config_defaults", "overrides", "webhook_url_override", "tags");
    private static final Set<String> END_USER = Set.of("id", "email", "display_name", "tags");
    private static final Set<String> ORGANIZATION = Set.of("id", "display_name");
    private static final Set<String> DEFAULTS = Set.of("user_scopes", "authorization_params", "connection_config");
    private static final String COLUMNS = "id, token_hash, end_user, organization, allowed_integrations, integrations_config_defaults, "
            + "tags, webhook_url_override, reconnect_connection_id, reconnect_integration_id, created_at, expires_at, used_at, overrides";

    /** A stored session; JSON columns as text. */
    public record Session(long id, String endUser, String organization, String allowedIntegrations, String configDefaults,
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

    private final JdbcTemplate jdbc;
    private final IntegrationStore integrations;
    private final ConnectionStore connections;
    private final ProviderCatalog catalog;
    private final RequestBody bodies;
    private final OperationLog log;
    private final Clock clock;
    private final Duration ttl;
    private final String publicUrl;
    private final String websocketsPath;

    public ConnectSessions(DataSource ds, IntegrationStore integrations, ConnectionStore connections, ProviderCatalog catalog,
                           RequestBody bodies, OperationLog log, Clock clock, Duration ttl, String publicUrl, String websocketsPath) {
        this.jdbc = new JdbcTemplate(ds);
        this.integrations = integrations;
        this.connections = connections;
        this.catalog = catalog;
        this.bodies = bodies;
        this.log = log;
        this.clock = clock;
        this.ttl = ttl;
        this.publicUrl = publicUrl;
        this.websocketsPath = websocketsPath;
    }

    // ---- API ----

    public void create(Exchange ex) {
        ObjectNode body = bodies.object(ex, BODY);
        Fields f = common(body, true);
        JsonNode allowed = body.get("allowed_integrations");
        String allowedJson = null;
        if (allowed != null && !allowed.isNull()) {
            if (!allowed.isArray()) {
                throw GatewayException.invalidBody("allowed_integrations", "'allowed_integrations' must be a list of integration keys.");
            }
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < allowed.size(); i++) {
                JsonNode k = allowed.get(i);
                if (!k.isTextual() || integrations.find(RequestBody.checked(k.asText(), "allowed_integrations." + i)) == null) {
                    throw GatewayException.invalidBody("allowed_integrations." + i, "Integration does not exist");
                }
                keys.add(k.asText());
            }
            allowedJson = Json.write(keys);
        }
        checkDefaultsKeys(body.get("integrations_config_defaults"));
        issue(ex, f, allowedJson, null, null, "connect_session_create");
    }

    public void reconnect(Exchange ex) {
        ObjectNode body = bodies.object(ex, RECONNECT_BODY);
        String connectionId = RequestBody.required(body, "connection_id", 255, "connection_id");
        String integrationKey = RequestBody.required(body, "integration_id", 255, "integration_id");
        Integration integration = integrations.find(integrationKey);
        if (integration == null) {
            throw GatewayException.invalidBody("integration_id", "Integration does not exist");
        }
        Connection connection = connections.find(integrationKey, connectionId);
        if (connection == null) {
            throw GatewayException.invalidBody("connection_id", "Connection does not exist");
        }
        // Nango makes end_user optional here: the connection already has one, and the session shows it
        Fields f = common(body, false);
        if (f.endUser() == null && connection.endUser() != null) {
            f = withEndUserOf(f, connection.endUser());
        }
        checkDefaultsKeys(body.get("integrations_config_defaults"));
        issue(ex, f, Json.write(List.of(integrationKey)), connectionId, integration.id(), "connect_session_reconnect");
    }

    /** GET or DELETE /connect/session with {@code Authorization: Bearer <session token>}, as Nango's Connect UI calls it. */
    public void current(Exchange ex) {
        String auth = ex.getMessage().getHeader("Authorization", String.class);
        if (auth == null || auth.isBlank()) {
            throw new GatewayException(401, "missing_auth_header", "Authentication failed. The request is missing the Authorization header.");
        }
        String token = auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).strip() : "";
        Session s = usable(token);
        if ("DELETE".equals(ex.getMessage().getHeader(Exchange.HTTP_METHOD, String.class))) {
            // the Connect UI ends its session when the user closes it (Nango: controllers/connect/deleteSession.ts).
            // Expired rather than deleted: a flow still in another tab must find it used (one connection per session)
            // and still gets its end user and tags; the purge route deletes it after gateway.purge.grace.
            jdbc.update("UPDATE connect_sessions SET expires_at = ? WHERE id = ?", clock.millis(), s.id());
            reply(ex, 204, null);
            return;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("end_user", Json.toMap(Json.read(s.endUser())));
        data.put("organization", Json.toMap(Json.read(s.organization())));
        data.put("allowed_integrations", s.allowed());
        data.put("integrations_config_defaults", Json.toMap(Json.read(s.configDefaults())));
        data.put("overrides", Json.toMap(Json.read(s.overrides())));
        data.put("tags", Json.toMap(Json.read(s.tags())));
        data.put("is_reconnecting", s.reconnectConnectionId() != null);
        data.put("expires_at", io.agcgateway.http.Json.timestamp(s.expiresAt()));
        // Nango's ConnectSessionOutput (types/lib/connect/api.ts), beside our snake_case fields
        data.put("endUser", ConnectSessionView.apiEndUser(s));
        data.put("isReconnecting", s.reconnectConnectionId() != null);
        data.put("connectUISettings", ConnectSessionView.CONNECT_UI_SETTINGS);
        // Connect UI passes this to new Nango({websocketsPath}) (Nango: NANGO_SERVER_WEBSOCKETS_PATH)
        data.put("websocketsPath", websocketsPath);
        reply(ex, 200, Map.of("data", data));
    }

    /**
     * The integration choice for a session token.
     * @param websocketsPath null: the standalone page (forms navigate this window); else the Connect UI inside the SDK's
     *                       iframe, which runs each flow in a popup through the WebSocket at this path
     */
    void render(Exchange ex, String token, String websocketsPath) {
        Session s;
        try {
            s = usable(token);
        } catch (GatewayException e) {
            ex.setProperty(HttpReply.STATUS, e.status() == 401 ? 401 : 400);
            ex.getMessage().setBody(websocketsPath != null ? ConnectUiPages.failure(e.code(), e.getMessage())
                    : Pages.message("This connect link cannot be used", e.getMessage()
                    + " Ask the application that sent you here for a new link."));
            return;
        }
        List<String> keys = s.allowed();
        List<Pages.Choice> choices = new ArrayList<>();
        for (Integration i : integrations.list()) {
            if (keys != null && !keys.contains(i.uniqueKey())) {
                continue;
            }
            Provider p = catalog.get(i.provider());
            if (p == null) {
                continue;
            }
            choices.add(new Pages.Choice(i.uniqueKey(), i.displayName() == null ? p.displayName() : i.displayName(),
                    p.connectionConfig().get("subdomain")));
        }
        ex.setProperty(HttpReply.STATUS, 200);
        ex.getMessage().setBody(websocketsPath == null ? Pages.connect(token, choices)
                : ConnectUiPages.choices(token, choices, websocketsPath));
    }

    // ---- used by the OAuth routes ----

    /**
     * A session that may start a flow: well-formed, known, not expired, not used.
     * @throws GatewayException 401 with Nango's codes otherwise
     */
    public Session usable(String token) {
        if (token == null || token.isBlank()) {
            throw new GatewayException(401, "missing_connect_session_token", "The connect session token is missing.");
        }
        if (!TOKEN.matcher(token).matches()) {
            throw new GatewayException(401, "invalid_connect_session_token_format", "The connect session token is malformed.");
        }
        Session s = find(token);
        long now = clock.millis();
        if (s == null || s.expiresAt() <= now) {
            throw new GatewayException(401, "unknown_connect_session_token", "The connect session token is unknown or has expired.");
        }
        if (s.usedAt() != null) {
            throw new GatewayException(401, "unknown_connect_session_token", "The connect session was already used to create a connection.");
        }
        return s;
    }

    public Session find(String token) {
        List<Session> r = jdbc.query("SELECT " + COLUMNS + " FROM connect_sessions WHERE token_hash = ?", ConnectSessions::row,
                Secrets.sha256Hex(token));
        return r.isEmpty() ? null : r.get(0);
    }

    public Session findById(long id) {
        List<Session> r = jdbc.query("SELECT " + COLUMNS + " FROM connect_sessions WHERE id = ?", ConnectSessions::row, id);
        return r.isEmpty() ? null : r.get(0);
    }

    /**
     * Counts one authorize start, atomically across nodes.
     * @return false when the session already had {@code max} starts (nothing counted)
     */
    public boolean countStart(long id, int max) {
        return jdbc.update("UPDATE connect_sessions SET starts = starts + 1 WHERE id = ? AND starts < ?", id, max) == 1;
    }

    /** What {@link #claim} found. */
    public enum Claim { CLAIMED, ALREADY_USED, GONE }

    /**
     * One connection per session, even when it was opened in two tabs: the callback that sets used_at first owns it.
     * GONE: the row was deleted (the Connect UI closed it, or it was purged); there is nothing left to mark.
     */
    public Claim claim(long id, long now) {
        if (jdbc.update("UPDATE connect_sessions SET used_at = ? WHERE id = ? AND used_at IS NULL", now, id) == 1) {
            return Claim.CLAIMED;
        }
        return findById(id) == null ? Claim.GONE : Claim.ALREADY_USED;
    }

    /** Undoes {@link #claim} when the connection could not be stored, so the user can try again with the same link. */
    public void release(long id, long claimedAt) {
        jdbc.update("UPDATE connect_sessions SET used_at = NULL WHERE id = ? AND used_at = ?", id, claimedAt);
    }

    // ---- internals ----

    private record Fields(String endUser, String organization, String defaults, String overrides, String tags, String webhookUrlOverride) {
    }

    private Fields common(ObjectNode body, boolean endUserRequired) {
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
        return new Fields(endUserJson, orgJson, defaults == null || defaults.isNull() ? null : Json.write(defaults),
                overrides == null || overrides.isNull() ? null : Json.write(overrides), EndUserTags.mergeJson(endUser, org, tags), webhook);
    }

    /** A connection's end_user holds its organization (see OAuthCallback.store); a session keeps the two apart. */
    private static Fields withEndUserOf(Fields f, String connectionEndUser) {
        Map<String, Object> endUser = new LinkedHashMap<>(Json.toMap(Json.read(connectionEndUser)));
        Object organization = endUser.remove("organization");
        return new Fields(Json.write(endUser), f.organization() != null || organization == null ? f.organization() : Json.write(organization),
                f.defaults(), f.overrides(), f.tags(), f.webhookUrlOverride());
    }

    private void checkDefaultsKeys(JsonNode defaults) {
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

    private void issue(Exchange ex, Fields f, String allowedJson, String reconnectConnectionId, Long reconnectIntegrationId, String action) {
        String token = "nango_connect_session_" + Secrets.randomHex(32);
        long now = clock.millis();
        long expires = now + ttl.toMillis();
        jdbc.update("INSERT INTO connect_sessions (token_hash, end_user, organization, allowed_integrations, integrations_config_defaults, "
                        + "tags, webhook_url_override, reconnect_connection_id, reconnect_integration_id, created_at, expires_at, overrides) "
                        + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                Secrets.sha256Hex(token), f.endUser(), f.organization(), allowedJson, f.defaults(), f.tags(), f.webhookUrlOverride(),
                reconnectConnectionId, reconnectIntegrationId, now, expires, f.overrides());
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("allowed_integrations", allowedJson == null ? "all" : Json.read(allowedJson));
        meta.put("expires_at", io.agcgateway.http.Json.timestamp(expires));
        log.submit(Operation.success("auth", action, null, reconnectConnectionId, "Connect session created", now, clock.millis(), meta));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("token", token);
        data.put("connect_link", publicUrl + "/connect?session_token=" + token);
        data.put("expires_at", io.agcgateway.http.Json.timestamp(expires));
        reply(ex, 201, Map.of("data", data));
    }

    private static void reply(Exchange ex, int status, Object body) {
        ex.setProperty(HttpReply.STATUS, status);
        ex.getMessage().setBody(body);
    }

    private static Session row(ResultSet rs, int n) throws SQLException {
        long ri = rs.getLong(10);
        Long reconnectIntegration = rs.wasNull() ? null : ri;
        long used = rs.getLong(13);
        Long usedAt = rs.wasNull() ? null : used;
        return new Session(rs.getLong(1), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7),
                rs.getString(8), rs.getString(9), reconnectIntegration, rs.getLong(11), rs.getLong(12), usedAt, rs.getString(14));
    }
}
