package io.agcgateway.integrations;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/** Rows of the integrations table. */
public final class IntegrationStore {
    private static final String COLUMNS = "id, unique_key, provider, display_name, client_id, client_secret_enc, scopes, "
            + "webhook_secret_enc, forward_webhooks, created_at, updated_at";
    private final JdbcTemplate jdbc;

    public IntegrationStore(DataSource ds) {
        this.jdbc = new JdbcTemplate(ds);
    }

    public List<Integration> list() {
        return jdbc.query("SELECT " + COLUMNS + " FROM integrations ORDER BY id", IntegrationStore::row);
    }

    public Integration find(String uniqueKey) {
        List<Integration> found = jdbc.query("SELECT " + COLUMNS + " FROM integrations WHERE unique_key = ?", IntegrationStore::row, uniqueKey);
        return found.isEmpty() ? null : found.get(0);
    }

    public Integration findById(long id) {
        List<Integration> found = jdbc.query("SELECT " + COLUMNS + " FROM integrations WHERE id = ?", IntegrationStore::row, id);
        return found.isEmpty() ? null : found.get(0);
    }

    /** @return false when the unique key is taken */
    public boolean insert(Integration i) {
        try {
            jdbc.update("INSERT INTO integrations (unique_key, provider, display_name, client_id, client_secret_enc, scopes, "
                            + "webhook_secret_enc, forward_webhooks, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    i.uniqueKey(), i.provider(), i.displayName(), i.clientId(), i.clientSecretEnc(), i.scopes(),
                    i.webhookSecretEnc(), i.forwardWebhooks(), i.createdAt(), i.updatedAt());
            return true;
        } catch (DuplicateKeyException e) {
            return false;
        }
    }

    /** @return false when the new unique key is taken */
    public boolean update(Integration i) {
        try {
            jdbc.update("UPDATE integrations SET unique_key=?, display_name=?, client_id=?, client_secret_enc=?, scopes=?, "
                            + "webhook_secret_enc=?, forward_webhooks=?, updated_at=? WHERE id=?",
                    i.uniqueKey(), i.displayName(), i.clientId(), i.clientSecretEnc(), i.scopes(), i.webhookSecretEnc(),
                    i.forwardWebhooks(), i.updatedAt(), i.id());
            return true;
        } catch (DuplicateKeyException e) {
            return false;
        }
    }

    public boolean delete(String uniqueKey) {
        return jdbc.update("DELETE FROM integrations WHERE unique_key = ?", uniqueKey) > 0;
    }

    private static Integration row(ResultSet rs, int n) throws SQLException {
        return new Integration(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getBoolean(9), rs.getLong(10), rs.getLong(11));
    }
}
