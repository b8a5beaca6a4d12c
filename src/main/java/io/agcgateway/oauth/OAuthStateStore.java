package io.agcgateway.oauth;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/** Rows of oauth_sessions: the single-use state of an authorisation in flight, keyed by the SHA-256 of the state. */
public final class OAuthStateStore {
    private final JdbcTemplate jdbc;

    /** What the callback needs to finish the flow; the PKCE verifier is a TokenCipher value, the config JSON text. */
    public record State(long integrationId, String connectionId, Long connectSessionId, String verifierEnc, String config,
                        String redirectUri, String wsClientId, long createdAt, long expiresAt) {
    }

    public OAuthStateStore(DataSource ds) {
        this.jdbc = new JdbcTemplate(ds);
    }

    public void save(String stateHash, State s) {
        jdbc.update("INSERT INTO oauth_sessions (state_hash, integration_id, connection_id, connect_session_id, code_verifier_enc, "
                        + "connection_config, redirect_uri, ws_client_id, created_at, expires_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                stateHash, s.integrationId(), s.connectionId(), s.connectSessionId(), s.verifierEnc(), s.config(), s.redirectUri(),
                s.wsClientId(), s.createdAt(), s.expiresAt());
    }

    /**
     * Single use: whoever deletes the row owns the state, so a replayed or concurrent callback loses.
     * @return the state, or null when it is unknown or another callback consumed it first
     */
    public State consume(String stateHash) {
        List<State> rows = jdbc.query("SELECT integration_id, connection_id, connect_session_id, code_verifier_enc, connection_config, "
                + "redirect_uri, ws_client_id, created_at, expires_at FROM oauth_sessions WHERE state_hash = ?", OAuthStateStore::row, stateHash);
        if (rows.isEmpty() || jdbc.update("DELETE FROM oauth_sessions WHERE state_hash = ?", stateHash) != 1) {
            return null;
        }
        return rows.get(0);
    }

    private static State row(ResultSet rs, int n) throws SQLException {
        long cs = rs.getLong("connect_session_id");
        Long connectSession = rs.wasNull() ? null : cs;
        return new State(rs.getLong("integration_id"), rs.getString("connection_id"), connectSession, rs.getString("code_verifier_enc"),
                rs.getString("connection_config"), rs.getString("redirect_uri"), rs.getString("ws_client_id"), rs.getLong("created_at"),
                rs.getLong("expires_at"));
    }
}
