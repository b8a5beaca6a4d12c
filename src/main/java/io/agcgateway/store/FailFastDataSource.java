package io.agcgateway.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection pool, failing fast while the database is known to be unreachable (issue 12: every API call used to
 * wait the pool's full connection timeout, then answer). Once a connection attempt fails for want of the database,
 * every caller gets an immediate {@link SQLTransientConnectionException} (answered 503 {@code database_unavailable})
 * while a background probe asks the pool for a connection every {@code probeIntervalMs}; the first probe that gets one
 * ends the outage. No caller waits for a probe.
 */
public final class FailFastDataSource extends HikariDataSource {
    private static final Logger LOG = LoggerFactory.getLogger(FailFastDataSource.class);
    private final long probeIntervalMs;
    private final AtomicBoolean down = new AtomicBoolean();

    public FailFastDataSource(HikariConfig config, long probeIntervalMs) {
        super(config);
        this.probeIntervalMs = probeIntervalMs;
    }

    @Override
    public Connection getConnection() throws SQLException {
        if (probeIntervalMs > 0 && down.get()) {
            throw new SQLTransientConnectionException(getPoolName() + " - the database is unavailable (failing fast)", "08001");
        }
        try {
            return super.getConnection();
        } catch (SQLException e) {
            if (probeIntervalMs > 0 && Database.connectionLost(e) && down.compareAndSet(false, true)) {
                LOG.warn("database unreachable ({}); API calls answer 503 at once until a probe connects", e.getClass().getSimpleName());
                Thread probe = new Thread(this::probeUntilUp, "gateway-db-probe");
                probe.setDaemon(true);
                probe.start();
            }
            throw e;
        }
    }

    /** Whether the database is known to be unreachable now. */
    public boolean isDown() {
        return down.get();
    }

    private void probeUntilUp() {
        while (down.get() && !isClosed()) {
            try {
                Thread.sleep(probeIntervalMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try (Connection c = super.getConnection()) {
                // a pooled connection may be handed out unchecked (used moments ago): ask the database itself
                if (c.isValid(2)) {
                    down.set(false);
                    LOG.info("database reachable again");
                }
            } catch (SQLException | RuntimeException stillDown) {
                // next probe after the interval
            }
        }
    }

}
