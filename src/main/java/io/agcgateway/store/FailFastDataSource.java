package io.agcgateway.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The connection pool, failing fast while the database is known to be unreachable (issue 12: every API call used to
 * wait the pool's full connection timeout, then answer). After a connection attempt fails for want of the database,
 * callers get an immediate {@link SQLTransientConnectionException} (answered 503 {@code database_unavailable}) for
 * {@code downWindowMs}; then one caller at a time probes the pool (the others still fail fast): a probe that gets a
 * connection ends the outage, one that fails starts another window.
 */
public final class FailFastDataSource extends HikariDataSource {
    private final long downWindowNanos;
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile long downUntil;

    public FailFastDataSource(HikariConfig config, long downWindowMs) {
        super(config);
        this.downWindowNanos = downWindowMs * 1_000_000L;
    }

    @Override
    public Connection getConnection() throws SQLException {
        boolean probe = false;
        long until = downUntil;
        if (until != 0) {
            if (System.nanoTime() - until < 0 || !probing.compareAndSet(false, true)) {
                throw new SQLTransientConnectionException(getPoolName() + " - the database is unavailable (failing fast)", "08001");
            }
            probe = true;
        }
        try {
            Connection c = super.getConnection();
            downUntil = 0;
            return c;
        } catch (SQLException e) {
            if (unreachable(e)) {
                downUntil = System.nanoTime() + downWindowNanos;
            }
            throw e;
        } finally {
            if (probe) {
                probing.set(false);
            }
        }
    }

    /** Whether the database is down (or stopped answering), not one statement at fault. */
    public boolean isDown() {
        return downUntil != 0 && System.nanoTime() - downUntil < 0;
    }

    private static boolean unreachable(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return e instanceof SQLTransientConnectionException || state.startsWith("08") || state.startsWith("57P");
    }
}
