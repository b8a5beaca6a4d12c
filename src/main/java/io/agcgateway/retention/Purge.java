package io.agcgateway.retention;

import io.agcgateway.metrics.GatewayMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of route purge, one per table: operations past gateway.logs.retention, OAuth state and connect sessions
 * gateway.purge.grace past their expiry or use. Each step adds its count to the run; {@link #report} logs the run.
 */
public final class Purge {
    private static final Logger LOG = LoggerFactory.getLogger(Purge.class);
    private static final String RUN = "agc.purged";

    private final RetentionStore store;
    private final GatewayMetrics metrics;
    private final Clock clock;
    private final Duration retention;
    private final Duration grace;
    private final int batch;

    public Purge(RetentionStore store, GatewayMetrics metrics, Clock clock, Duration retention, Duration grace, int batch) {
        this.store = store;
        this.metrics = metrics;
        this.clock = clock;
        this.retention = retention;
        this.grace = grace;
        this.batch = batch;
    }

    public void operations(Exchange ex) {
        counted(ex, "operations", store.operationsBefore(clock.millis() - retention.toMillis(), batch));
    }

    public void oauthState(Exchange ex) {
        counted(ex, "oauth_sessions", store.oauthStateExpiredBefore(clock.millis() - grace.toMillis(), batch));
    }

    public void connectSessions(Exchange ex) {
        counted(ex, "connect_sessions", store.connectSessionsDoneBefore(clock.millis() - grace.toMillis(), batch));
    }

    /** One INFO line when the run deleted anything; the body is the run's counts by table. */
    public Map<String, Long> report(Exchange ex) {
        Map<String, Long> run = run(ex);
        if (run.values().stream().mapToLong(Long::longValue).sum() > 0) {
            LOG.info("route=purge reason=retention deleted rows {} (operations older than {}, state and sessions {} past expiry or use)",
                    run, human(retention), human(grace));
        }
        return run;
    }

    private static String human(Duration d) {
        return d.toMillis() % Duration.ofDays(1).toMillis() == 0 ? d.toDays() + "d"
                : d.toMillis() % Duration.ofHours(1).toMillis() == 0 ? d.toHours() + "h" : d.toMinutes() + "m";
    }

    private void counted(Exchange ex, String table, long n) {
        run(ex).put(table, n);
        metrics.purged(table, n);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Long> run(Exchange ex) {
        Map<String, Long> run = ex.getProperty(RUN, Map.class);
        if (run == null) {
            run = new LinkedHashMap<>();
            ex.setProperty(RUN, run);
        }
        return run;
    }
}
