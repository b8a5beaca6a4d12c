package io.agcgateway.support;

import io.agcgateway.connections.Connection;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.connections.NewConnection;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.integrations.Integration;
import io.agcgateway.integrations.IntegrationStore;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/** Writes integrations and connections straight into the store, with tokens FakeTokenEndpoint understands. */
public final class Seed {
    private final DataSource ds;
    private final TokenCipher cipher;
    private final JdbcTemplate jdbc;

    public Seed(DataSource ds, TokenCipher cipher) {
        this.ds = ds;
        this.cipher = cipher;
        this.jdbc = new JdbcTemplate(ds);
    }

    public long integration(String key, String provider) {
        long now = System.currentTimeMillis();
        new IntegrationStore(ds).insert(new Integration(0, key, provider, key, "client-" + key,
                cipher.encrypt("secret-" + key, "client_secret"), "offline_access", null, true, now, now));
        return new IntegrationStore(ds).find(key).id();
    }

    /** A connection whose refresh token is rt.FAMILY.1 (the family is the connection id). */
    public Connection connection(long integrationId, String connectionId, long expiresAt, Long lastUsedAt, Long rtIssuedAt) {
        long now = System.currentTimeMillis();
        ConnectionStore store = new ConnectionStore(ds);
        store.insert(NewConnection.builder(integrationId, connectionId).accessTokenEnc(cipher.encrypt("at." + connectionId + ".1", "access_token"))
                .refreshTokenEnc(cipher.encrypt("rt." + connectionId + ".1", "refresh_token")).expiresAt(expiresAt).build(), now);
        jdbc.update("UPDATE connections SET last_used_at=?, refresh_token_issued_at=? WHERE integration_id=? AND connection_id=?",
                lastUsedAt, rtIssuedAt, integrationId, connectionId);
        return store.find(new IntegrationStore(ds).findById(integrationId).uniqueKey(), connectionId);
    }

    /** Many connections at once (benchmarks): all expired and used just now. */
    public void expiredConnections(long integrationId, String prefix, int n) {
        long now = System.currentTimeMillis();
        List<Object[]> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = prefix + i;
            rows.add(new Object[] {integrationId, id, cipher.encrypt("at." + id + ".1", "access_token"),
                    cipher.encrypt("rt." + id + ".1", "refresh_token"), now - 1000, "{}", now, now, now, now});
        }
        for (int from = 0; from < n; from += 1000) {
            jdbc.batchUpdate("INSERT INTO connections (integration_id, connection_id, access_token_enc, refresh_token_enc, expires_at, "
                    + "connection_config, refresh_state, refresh_token_issued_at, last_used_at, created_at, updated_at) "
                    + "VALUES (?,?,?,?,?,?,'ok',?,?,?,?)", rows.subList(from, Math.min(n, from + 1000)));
        }
    }

    /** Many connections with given tokens ({connection id, access token, refresh token}): expired and used just now. */
    public void expiredConnections(long integrationId, List<String[]> tokens) {
        long now = System.currentTimeMillis();
        List<Object[]> rows = new ArrayList<>(tokens.size());
        for (String[] t : tokens) {
            rows.add(new Object[] {integrationId, t[0], cipher.encrypt(t[1], "access_token"), cipher.encrypt(t[2], "refresh_token"),
                    now - 1000, "{}", now, now, now, now});
        }
        for (int from = 0; from < rows.size(); from += 1000) {
            jdbc.batchUpdate("INSERT INTO connections (integration_id, connection_id, access_token_enc, refresh_token_enc, expires_at, "
                    + "connection_config, refresh_state, refresh_token_issued_at, last_used_at, created_at, updated_at) "
                    + "VALUES (?,?,?,?,?,?,'ok',?,?,?,?)", rows.subList(from, Math.min(rows.size(), from + 1000)));
        }
    }

    public String refreshToken(Connection c) {
        return cipher.decrypt(c.refreshTokenEnc(), "refresh_token");
    }
}
