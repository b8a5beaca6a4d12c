package io.agcgateway.store;

import java.util.List;
import javax.sql.DataSource;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Rows of gateway_meta: one value per key, for what the gateway keeps about itself (the encryption canary, a generated
 * secret key or sandbox client secret, the sweep's last run).
 */
public final class MetaStore {
    private final JdbcTemplate jdbc;

    public MetaStore(DataSource ds) {
        this.jdbc = new JdbcTemplate(ds);
    }

    /** The value, or null when the key was never written. */
    public String get(String key) {
        List<String> r = jdbc.query("SELECT meta_value FROM gateway_meta WHERE meta_key = ?", (rs, n) -> rs.getString("meta_value"), key);
        return r.isEmpty() ? null : r.get(0);
    }

    /** @throws DuplicateKeyException when the key exists (another node wrote it first) */
    public void insert(String key, String value) {
        jdbc.update("INSERT INTO gateway_meta (meta_key, meta_value) VALUES (?, ?)", key, value);
    }

    /** @return false when the key existed already; its value is left as it was */
    public boolean insertIfAbsent(String key, String value) {
        try {
            insert(key, value);
            return true;
        } catch (DuplicateKeyException e) {
            return false;
        }
    }

    /** Writes the value whether or not the key exists; two nodes writing at once both succeed, the last one wins. */
    public void put(String key, String value) {
        if (jdbc.update("UPDATE gateway_meta SET meta_value=? WHERE meta_key=?", value, key) == 0 && !insertIfAbsent(key, value)) {
            jdbc.update("UPDATE gateway_meta SET meta_value=? WHERE meta_key=?", value, key);
        }
    }
}
