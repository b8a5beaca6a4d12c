package io.agcgateway.oauth;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/** Rows of connect_sessions. A session is found by the SHA-256 of its token; the token itself is never stored. */
public final class ConnectSessionStore {
    private static final String COLUMNS = "id, token_hash, end_user, organization, allowed_integrations, integrations_config_defaults, "
            + "tags, webhook_url_override, reconnect_connection_id, reconnect_integration_id, created_at, expires_at, used_at, overrides";

    private final JdbcTemplate jdbc;

    /** What {@link #claim} found. */
    public enum Claim { CLAIMED, ALREADY_USED, GONE }

    public ConnectSessionStore(DataSource ds) {
        this.jdbc = new JdbcTemplate(ds);
    }

    /** @param s the session to store; its id, used_at and starts are the table's defaults */
    public void insert(String tokenHash, ConnectSession s) {
        jdbc.update("INSERT INTO connect_sessions (token_hash, end_user, organization, allowed_integrations, integrations_config_defaults, "
                        + "tags, webhook_url_override, reconnect_connection_id, reconnect_integration_id, created_at, expires_at, overrides) "
                        + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                tokenHash, s.endUser(), s.organization(), s.allowedIntegrations(), s.configDefaults(), s.tags(), s.webhookUrlOverride(),
                s.reconnectConnectionId(), s.reconnectIntegrationId(), s.createdAt(), s.expiresAt(), s.overrides());
    }

    public ConnectSession findByTokenHash(String tokenHash) {
        List<ConnectSession> r = jdbc.query("SELECT " + COLUMNS + " FROM connect_sessions WHERE token_hash = ?", ConnectSessionStore::row,
                tokenHash);
        return r.isEmpty() ? null : r.get(0);
    }

    public ConnectSession findById(long id) {
        List<ConnectSession> r = jdbc.query("SELECT " + COLUMNS + " FROM connect_sessions WHERE id = ?", ConnectSessionStore::row, id);
        return r.isEmpty() ? null : r.get(0);
    }

    /**
     * Expired rather than deleted: a flow still in another tab must find it used (one connection per session) and still
     * gets its end user and tags; the purge route deletes it after gateway.purge.grace.
     */
    public void expire(long id, long now) {
        jdbc.update("UPDATE connect_sessions SET expires_at = ? WHERE id = ?", now, id);
    }

    /**
     * Counts one authorize start, atomically across nodes.
     * @return false when the session already had {@code max} starts (nothing counted)
     */
    public boolean countStart(long id, int max) {
        return jdbc.update("UPDATE connect_sessions SET starts = starts + 1 WHERE id = ? AND starts < ?", id, max) == 1;
    }

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

    private static ConnectSession row(ResultSet rs, int n) throws SQLException {
        long ri = rs.getLong("reconnect_integration_id");
        Long reconnectIntegration = rs.wasNull() ? null : ri;
        long used = rs.getLong("used_at");
        Long usedAt = rs.wasNull() ? null : used;
        return new ConnectSession(rs.getLong("id"), rs.getString("end_user"), rs.getString("organization"),
                rs.getString("allowed_integrations"), rs.getString("integrations_config_defaults"), rs.getString("tags"),
                rs.getString("webhook_url_override"), rs.getString("reconnect_connection_id"), reconnectIntegration,
                rs.getLong("created_at"), rs.getLong("expires_at"), usedAt, rs.getString("overrides"));
    }
}
