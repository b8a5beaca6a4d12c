package io.agcgateway.health;

import java.util.List;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The aggregates behind the dashboard's Health page, each one indexed query over operations (operations_type_created)
 * or one pass over connections. Portable SQL: H2 2.x and PostgreSQL both have the ordered-set aggregate
 * PERCENTILE_CONT ... WITHIN GROUP, integer division of BIGINT and GREATEST over non-null values.
 */
public final class HealthStore {
    /** Proxied calls of one bucket: count, failures (status failed = answered 4xx/5xx or not at all), latency. */
    public record ProxyBucket(long bucket, long requests, long errors, Double p50, Double p95, Double p99) {
    }

    /**
     * Refreshes at the provider of one bucket by outcome, as RefreshService records them: success = ok; a failure
     * whose meta says "rejected" = the provider refused the token (4xx); any other failure = transient (5xx/timeout).
     */
    public record RefreshBucket(long bucket, long ok, long rejected, long transientFailures) {
    }

    /** Connections in one state whose refresh token was last issued or spent {@code ageDays} ago. */
    public record AgeCount(String state, long ageDays, long connections) {
    }

    private static final String PROXY = "SELECT b, COUNT(*) AS requests, "
            + "SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS errors, "
            + "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50, "
            + "PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95, "
            + "PERCENTILE_CONT(0.99) WITHIN GROUP (ORDER BY duration_ms) AS p99 "
            + "FROM (SELECT (created_at - ?) / ? AS b, status, duration_ms FROM operations "
            + "WHERE op_type = 'proxy' AND created_at >= ? AND created_at < ?) t GROUP BY b ORDER BY b";

    // the outcome is in meta_json ({"forced":…,"outcome":"rejected",…}, written by Jackson without spaces)
    private static final String REFRESH = "SELECT b, "
            + "SUM(CASE WHEN status = 'success' THEN 1 ELSE 0 END) AS ok, "
            + "SUM(CASE WHEN status = 'failed' AND meta_json LIKE '%\"outcome\":\"rejected\"%' THEN 1 ELSE 0 END) AS rejected, "
            + "SUM(CASE WHEN status = 'failed' AND (meta_json IS NULL OR meta_json NOT LIKE '%\"outcome\":\"rejected\"%') "
            + "THEN 1 ELSE 0 END) AS transient_failures "
            + "FROM (SELECT (created_at - ?) / ? AS b, status, meta_json FROM operations "
            + "WHERE op_type = 'refresh' AND action = 'token_refresh' AND created_at >= ? AND created_at < ?) t "
            + "GROUP BY b ORDER BY b";

    // the age of the refresh token family as SweepPolicy.lastSpent counts it: issued (or, never rotated, the consent),
    // or later spent by a refresh that kept it
    private static final String AGES = "SELECT state, age_days, COUNT(*) AS n FROM (SELECT "
            + "CASE WHEN refresh_state = 'refresh_failed' THEN 'revoked' "
            + "WHEN refresh_state = 'refresh_retrying' THEN 'failing' "
            + "WHEN expires_at IS NOT NULL AND expires_at < ? THEN 'due' "
            + "ELSE 'fresh' END AS state, "
            + "(? - GREATEST(COALESCE(refresh_token_issued_at, created_at), COALESCE(last_refresh_at, 0))) / 86400000 AS age_days "
            + "FROM connections) t GROUP BY state, age_days ORDER BY state, age_days";

    private final JdbcTemplate jdbc;

    public HealthStore(DataSource ds) {
        this.jdbc = new JdbcTemplate(ds);
    }

    /** Proxied calls in [from, to), bucketed by {@code bucketMs} from {@code from}; empty buckets are absent. */
    public List<ProxyBucket> proxy(long from, long to, long bucketMs) {
        return jdbc.query(PROXY, (rs, n) -> new ProxyBucket(rs.getLong("b"), rs.getLong("requests"), rs.getLong("errors"),
                number(rs, "p50"), number(rs, "p95"), number(rs, "p99")), from, bucketMs, from, to);
    }

    /** Refreshes at the provider in [from, to), bucketed like {@link #proxy}. */
    public List<RefreshBucket> refreshes(long from, long to, long bucketMs) {
        return jdbc.query(REFRESH, (rs, n) -> new RefreshBucket(rs.getLong("b"), rs.getLong("ok"), rs.getLong("rejected"),
                rs.getLong("transient_failures")), from, bucketMs, from, to);
    }

    /**
     * Every connection by state (revoked = the provider refused its refresh token; failing = backing off after
     * 5xx/timeouts; due = access token expires before {@code dueBefore}; fresh = the rest) and refresh-token age in days.
     */
    public List<AgeCount> connectionAges(long now, long dueBefore) {
        return jdbc.query(AGES, (rs, n) -> new AgeCount(rs.getString("state"), rs.getLong("age_days"), rs.getLong("n")),
                dueBefore, now);
    }

    private static Double number(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? null : v;
    }
}
