package io.agcgateway.retention;

import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The deletes of the purge route. Each statement removes at most one batch (auto-commit: one short transaction each),
 * repeated until a batch comes back short, so a table of millions never holds one giant transaction or lock. Plain
 * DELETE ... WHERE time < cutoff is idempotent: two nodes running it at once delete each row once between them.
 * Portable SQL (H2 2.x, PostgreSQL): neither has DELETE ... LIMIT in common, both take LIMIT in a sub-select.
 */
public final class RetentionStore {
    private final JdbcTemplate jdbc;

    public RetentionStore(DataSource ds) {
        this.jdbc = new JdbcTemplate(ds);
    }

    /** Operation rows created before {@code cutoff} (epoch ms). */
    public long operationsBefore(long cutoff, int batch) {
        return inBatches(batch, () -> jdbc.update("DELETE FROM operations WHERE id IN "
                + "(SELECT id FROM operations WHERE created_at < ? LIMIT ?)", cutoff, batch));
    }

    /** OAuth state that expired before {@code cutoff}: its callback can only answer "expired" any more. */
    public long oauthStateExpiredBefore(long cutoff, int batch) {
        return inBatches(batch, () -> jdbc.update("DELETE FROM oauth_sessions WHERE state_hash IN "
                + "(SELECT state_hash FROM oauth_sessions WHERE expires_at < ? LIMIT ?)", cutoff, batch));
    }

    /** Connect sessions that expired, or were used for their connection, before {@code cutoff}. */
    public long connectSessionsDoneBefore(long cutoff, int batch) {
        return inBatches(batch, () -> jdbc.update("DELETE FROM connect_sessions WHERE id IN "
                + "(SELECT id FROM connect_sessions WHERE expires_at < ? OR used_at < ? LIMIT ?)", cutoff, cutoff, batch));
    }

    private static long inBatches(int batch, java.util.function.IntSupplier deleteOne) {
        long total = 0;
        int n;
        do {
            n = deleteOne.getAsInt();
            total += n;
        } while (n >= batch);
        return total;
    }
}
