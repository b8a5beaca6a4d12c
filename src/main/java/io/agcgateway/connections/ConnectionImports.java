package io.agcgateway.connections;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.http.GatewayException;
import io.agcgateway.http.Json;
import io.agcgateway.http.RequestBody;
import io.agcgateway.integrations.Integration;
import io.agcgateway.integrations.IntegrationStore;
import io.agcgateway.logs.Operation;
import io.agcgateway.logs.OperationLog;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.springframework.dao.DuplicateKeyException;

/**
 * Importing connections (POST /connections, deprecated POST /connection; nango-wire-format §2.6). Like Nango's
 * upsert, importing an existing (integration, connection id) overrides it: same row id, metadata and tags kept unless
 * given, the token pair replaced in one statement under the refresh lease, and an {@code override} auth webhook.
 */
public final class ConnectionImports {
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
    private final ConnectionLease lease;
    private final RequestBody bodies;
    private final OperationLog log;
    private final AuthEvents events;
    private final Clock clock;

    public ConnectionImports(ConnectionStore store, IntegrationStore integrations, TokenCipher cipher, ConnectionLease lease,
                             RequestBody bodies, OperationLog log, AuthEvents events, Clock clock) {
        this.store = store;
        this.integrations = integrations;
        this.cipher = cipher;
        this.lease = lease;
        this.bodies = bodies;
        this.log = log;
        this.events = events;
        this.clock = clock;
    }

    /** POST /connections: 201 with the full connection, created or overridden. */
    public void importConnection(Exchange ex) {
        ObjectNode body = bodies.object(ex, IMPORT_BODY);
        String key = RequestBody.required(body, "provider_config_key", 255, "provider_config_key");
        Integration integration = integrations.find(key);
        if (integration == null) {
            throw GatewayException.notFound("not_found", "Integration does not exist");
        }
        String connectionId = RequestBody.string(body, "connection_id", 255, "connection_id");
        connectionId = connectionId == null ? UUID.randomUUID().toString() : connectionId;
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
        Connection stored = upsert(integration, connectionId, new ImportedConnection(cipher.encrypt(at, "access_token"),
                cipher.encrypt(rt, "refresh_token"), cipher.encrypt(Json.write(creds), "raw"), expiresAt, object(body, "connection_config"),
                object(body, "metadata"), object(body, "end_user"), tags(body), webhookUrl(body)));
        ConnectionsApi.reply(ex, 201, ConnectionView.full(stored, cipher, true));
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
        connectionId = connectionId == null ? UUID.randomUUID().toString() : connectionId;
        Map<String, Object> raw = body.get("raw") != null && body.get("raw").isObject() ? Json.toMap(body.get("raw")) : Json.toMap(body);
        upsert(integration, connectionId, new ImportedConnection(cipher.encrypt(at, "access_token"),
                cipher.encrypt(RequestBody.string(body, "refresh_token", 60_000, "refresh_token"), "refresh_token"),
                cipher.encrypt(Json.write(raw), "raw"), expiresAt, object(body, "connection_config"), object(body, "metadata"), null, null,
                webhookUrl(body)));
        Map<String, Object> echo = new LinkedHashMap<>(Json.toMap(body));
        echo.put("connection_id", connectionId);
        ConnectionsApi.reply(ex, 201, echo);
    }

    private Connection upsert(Integration integration, String connectionId, ImportedConnection imp) {
        long now = clock.millis();
        boolean created = true;
        Connection existing = store.find(integration.uniqueKey(), connectionId);
        if (existing == null) {
            try {
                store.insertImported(integration.id(), connectionId, imp, now);
            } catch (DuplicateKeyException race) {
                // a concurrent import of the same connection won the insert: override it instead
                existing = store.find(integration.uniqueKey(), connectionId);
            }
        }
        Connection stored;
        if (existing != null) {
            created = false;
            long rowId = existing.id();
            stored = lease.underLease(rowId, owner -> store.storeImported(rowId, owner, imp, clock.millis()));
        } else {
            stored = store.find(integration.uniqueKey(), connectionId);
        }
        if (stored == null) {
            throw GatewayException.notFound("not_found", "The connection was deleted while it was being imported.");
        }
        log.submit(Operation.success("auth", "connection_import", integration.uniqueKey(), connectionId,
                created ? "Connection imported" : "Connection re-imported: credentials replaced", now, clock.millis(),
                Map.of("operation", created ? "creation" : "override")));
        events.authorized(stored, created);
        return stored;
    }

    /** Tags from the body's end_user (and its organization) then the body's tags, as a connect session fills them. */
    private static String tags(JsonNode body) {
        object(body, "tags");
        JsonNode endUser = body.get("end_user");
        return EndUserTags.mergeJson(endUser, endUser == null ? null : endUser.get("organization"), body.get("tags"));
    }

    private static String webhookUrl(JsonNode body) {
        String webhook = RequestBody.string(body, "webhook_url_override", 2000, "webhook_url_override");
        if (webhook != null && !webhook.matches("^https?://\\S+$")) {
            throw GatewayException.invalidBody("webhook_url_override", "'webhook_url_override' must be an http(s) URL.");
        }
        return webhook;
    }

    private static Long instant(String v, String path) {
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse(v).toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(v).toInstant().toEpochMilli();
            } catch (DateTimeParseException e2) {
                throw GatewayException.invalidBody(path, "'" + path + "' must be an ISO-8601 date.");
            }
        }
    }

    private static String object(JsonNode body, String field) {
        return ConnectionsApi.object(body, field);
    }
}
