package io.agcgateway.connections;

import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.http.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Nango's ApiPublicConnection / ApiPublicConnectionFull shapes (formatters/connection.ts). */
public final class ConnectionView {
    private ConnectionView() {
    }

    /** List item: note `created`, not `created_at`. */
    public static Map<String, Object> summary(Connection c) {
        Map<String, Object> v = head(c);
        v.put("created", ts(c.createdAt()));
        return v;
    }

    public static Map<String, Object> full(Connection c, TokenCipher cipher, boolean withRefreshToken) {
        Map<String, Object> v = head(c);
        Map<String, Object> config = map(c.connectionConfig());
        v.put("connection_config", withRefreshToken ? config : stripRefreshTokens(config));
        v.put("webhook_url_override", c.webhookUrlOverride());
        v.put("created_at", ts(c.createdAt()));
        v.put("updated_at", ts(c.updatedAt()));
        v.put("last_fetched_at", c.lastFetchedAt() == null ? null : ts(c.lastFetchedAt()));
        Map<String, Object> creds = new LinkedHashMap<>();
        creds.put("type", "OAUTH2");
        creds.put("access_token", cipher.decrypt(c.accessTokenEnc(), "access_token"));
        String rt = cipher.decrypt(c.refreshTokenEnc(), "refresh_token");
        if (rt != null) {
            creds.put("refresh_token", rt);
        }
        if (c.expiresAt() != null) {
            creds.put("expires_at", iso(c.expiresAt()));
        }
        String raw = cipher.decrypt(c.rawEnc(), "raw");
        creds.put("raw", raw == null ? Map.of() : Json.toMap(Json.read(raw)));
        v.put("credentials", withRefreshToken ? creds : stripRefreshTokens(creds));
        return v;
    }

    private static Map<String, Object> head(Connection c) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", c.id());
        v.put("connection_id", c.connectionId());
        v.put("provider_config_key", c.integrationKey());
        v.put("provider", c.provider());
        v.put("errors", errors(c.errors()));
        v.put("end_user", endUser(c.endUser()));
        v.put("tags", c.tags() == null ? Map.of() : map(c.tags()));
        v.put("metadata", c.metadata() == null ? null : map(c.metadata()));
        return v;
    }

    private static List<Map<String, Object>> errors(String json) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (json == null) {
            return out;
        }
        for (var n : Json.read(json)) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("type", n.path("type").asText("auth"));
            e.put("log_id", n.hasNonNull("log_id") ? n.get("log_id").asText() : null);
            if (n.hasNonNull("code")) {
                e.put("code", n.get("code").asText());
            }
            if (n.hasNonNull("message")) {
                e.put("message", n.get("message").asText());
            }
            out.add(e);
        }
        return out;
    }

    private static Map<String, Object> endUser(String json) {
        if (json == null) {
            return null;
        }
        Map<String, Object> eu = map(json);
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", eu.get("id"));
        v.put("display_name", eu.get("display_name"));
        v.put("email", eu.get("email"));
        v.put("tags", eu.get("tags"));
        v.put("organization", eu.get("organization"));
        return v;
    }

    /** JavaScript's toISOString(): always milliseconds, 'Z' (Nango's dates inside credentials). */
    static String iso(long millis) {
        return io.agcgateway.http.Json.timestamp(millis);
    }

    /** Timestamps on the connection: toISOString() with 'Z' replaced by '+00:00', as Nango writes them. */
    static String ts(long millis) {
        return iso(millis).replace("Z", "+00:00");
    }

    /** Removes every key whose letters-only lower-case form is "refreshtoken", at any depth. */
    @SuppressWarnings("unchecked")
    static <T> T stripRefreshTokens(T value) {
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> {
                if (!String.valueOf(k).replaceAll("[^A-Za-z]", "").toLowerCase().equals("refreshtoken")) {
                    out.put(String.valueOf(k), stripRefreshTokens(v));
                }
            });
            return (T) out;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(v -> out.add(stripRefreshTokens(v)));
            return (T) out;
        }
        return value;
    }

    private static Map<String, Object> map(String json) {
        Map<String, Object> m = json == null ? null : Json.toMap(Json.read(json));
        return m == null ? new LinkedHashMap<>() : m;
    }
}
