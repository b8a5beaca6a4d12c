package io.agcgateway.store;

import java.sql.Connection;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness includes the store (issue: readiness incl. database): /observe/health reports DOWN while the database
 * does not answer, so a load balancer stops sending API traffic that would fail. Liveness does not depend on it:
 * proxied calls with cached tokens keep working through a database outage.
 */
public final class DatabaseHealthCheck extends AbstractHealthCheck {
    private final DataSource dataSource;

    public DatabaseHealthCheck(DataSource dataSource) {
        super("gateway", "database");
        this.dataSource = dataSource;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try (Connection c = dataSource.getConnection()) {
            if (c.isValid(2)) {
                builder.up();
            } else {
                builder.message("database connection is not valid").down();
            }
        } catch (Exception e) {
            builder.message("database unreachable: " + e.getClass().getSimpleName()).down();
        }
    }
}
