package io.agcgateway.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agcgateway.catalog.Provider;
import io.agcgateway.catalog.ProviderCatalog;
import io.agcgateway.connections.Connection;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.http.GatewayException;
import io.agcgateway.http.HttpReply;
import io.agcgateway.http.Json;
import io.agcgateway.http.RequestBody;
import io.agcgateway.integrations.Integration;
import io.agcgateway.integrations.IntegrationStore;
import io.agcgateway.logs.Operation;
import io.agcgateway.logs.OperationLog;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;

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

    private final ConnectSessionStore store;
    private final IntegrationStore integrations;
    private final ConnectionStore connections;
    private final ProviderCatalog catalog;
    private final RequestBody bodies;
    private final OperationLog log;
    private final Clock clock;
    private final Duration ttl;
    private final String publicUrl;
    private final String websocketsPath;

    public ConnectSessions(ConnectSessionStore store, IntegrationStore integrations, ConnectionStore connections, ProviderCatalog catalog,
                           RequestBody bodies, OperationLog log, Clock clock, Duration ttl, String publicUrl, String websocketsPath) {
        this.store = store;
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
        ConnectSessionFields f = ConnectSessionFields.of(body, true);
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
        ConnectSessionFields.checkDefaultsKeys(body.get("integrations_config_defaults"), integrations);
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
        ConnectSessionFields f = ConnectSessionFields.of(body, false);
        if (f.endUser() == null && connection.endUser() != null) {
            f = f.withEndUserOf(connection.endUser());
        }
        ConnectSessionFields.checkDefaultsKeys(body.get("integrations_config_defaults"), integrations);
        issue(ex, f, Json.write(List.of(integrationKey)), connectionId, integration.id(), "connect_session_reconnect");
    }

    /** GET or DELETE /connect/session with {@code Authorization: Bearer <session token>}, as Nango's Connect UI calls it. */
    public void current(Exchange ex) {
        String auth = ex.getMessage().getHeader("Authorization", String.class);
        if (auth == null || auth.isBlank()) {
            throw new GatewayException(401, "missing_auth_header", "Authentication failed. The request is missing the Authorization header.");
        }
        String token = auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).strip() : "";
        ConnectSession s = usable(token);
        if ("DELETE".equals(ex.getMessage().getHeader(Exchange.HTTP_METHOD, String.class))) {
            // the Connect UI ends its session when the user closes it (Nango: controllers/connect/deleteSession.ts)
            store.expire(s.id(), clock.millis());
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
        ConnectSession s;
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
    public ConnectSession usable(String token) {
        if (token == null || token.isBlank()) {
            throw new GatewayException(401, "missing_connect_session_token", "The connect session token is missing.");
        }
        if (!TOKEN.matcher(token).matches()) {
            throw new GatewayException(401, "invalid_connect_session_token_format", "The connect session token is malformed.");
        }
        ConnectSession s = store.findByTokenHash(Secrets.sha256Hex(token));
        long now = clock.millis();
        if (s == null || s.expiresAt() <= now) {
            throw new GatewayException(401, "unknown_connect_session_token", "The connect session token is unknown or has expired.");
        }
        if (s.usedAt() != null) {
            throw new GatewayException(401, "unknown_connect_session_token", "The connect session was already used to create a connection.");
        }
        return s;
    }

    // ---- internals ----

    private void issue(Exchange ex, ConnectSessionFields f, String allowedJson, String reconnectConnectionId, Long reconnectIntegrationId, String action) {
        String token = "nango_connect_session_" + Secrets.randomHex(32);
        long now = clock.millis();
        long expires = now + ttl.toMillis();
        store.insert(Secrets.sha256Hex(token), new ConnectSession(0, f.endUser(), f.organization(), allowedJson, f.defaults(), f.tags(),
                f.webhookUrlOverride(), reconnectConnectionId, reconnectIntegrationId, now, expires, null, f.overrides()));
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
}
