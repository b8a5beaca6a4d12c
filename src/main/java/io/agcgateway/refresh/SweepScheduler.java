package io.agcgateway.refresh;

import io.agcgateway.config.GatewaySettings;
import io.agcgateway.config.StartupException;
import java.sql.Connection;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.Duration;
import java.util.Date;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.camel.component.quartz.QuartzComponent;
import org.quartz.CronExpression;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * The scheduling of the refresh sweep (routes/token-refresh.camel.yaml): its policy, its thread pool and the Quartz
 * scheduler: RAM job store on one node, the JDBC clustered store on PostgreSQL with gateway.cluster=true, so each
 * sweep fires on exactly one node and a dead node's triggers move to a live one (docs/SCALE-OUT.md).
 */
public final class SweepScheduler {
    /** Same on every node: Quartz clusters the schedulers that share this name and the QRTZ_ tables. */
    static final String CLUSTER_SCHEDULER = "agc-gateway";

    private SweepScheduler() {
    }

    /**
     * When the sweep refreshes a row: the refresh margin, and a lookahead of two sweep intervals, as the next sweep
     * may itself need a while to reach a connection (see SweepPolicy).
     */
    public static SweepPolicy policy(GatewaySettings settings) {
        return new SweepPolicy(settings.duration("gateway.refresh.margin"),
                cronInterval(settings.raw("gateway.refresh.sweep-cron")).multipliedBy(2),
                settings.duration("gateway.refresh.active-window"), settings.duration("gateway.refresh.keep-alive-age"));
    }

    /** Time between two fires of the cron, to know how far ahead "before the next sweep" reaches. */
    static Duration cronInterval(String cron) {
        try {
            CronExpression e = new CronExpression(cron);
            Date first = e.getNextValidTimeAfter(new Date());
            Date second = first == null ? null : e.getNextValidTimeAfter(first);
            if (second == null) {
                throw new ParseException("never fires twice", 0);
            }
            return Duration.ofMillis(second.getTime() - first.getTime());
        } catch (ParseException e) {
            throw new StartupException("setting gateway.refresh.sweep-cron (env GATEWAY_REFRESH_SWEEP_CRON) '" + cron
                    + "' is not a Quartz cron expression (" + e.getMessage() + "): e.g. '0 * * * * ?' for every minute");
        }
    }

    /** The sweep's parallel refreshes (token-refresh's split): daemon threads, so a stuck provider call never holds the JVM. */
    public static ExecutorService sweepPool(int threads) {
        AtomicInteger n = new AtomicInteger();
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "refresh-sweep-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public static QuartzComponent quartz(GatewaySettings settings, DataSource ds) {
        Properties p = new Properties();
        p.put("org.quartz.scheduler.skipUpdateCheck", "true");
        p.put("org.quartz.threadPool.threadCount", "2");
        p.put("org.quartz.threadPool.threadNamePrefix", "quartz-sweep");
        QuartzComponent q = new QuartzComponent();
        q.setPrefixInstanceName(false);
        if (settings.cluster()) {
            // Quartz reads its tables through the gateway's own pool (same database, same credentials), registered
            // under a per-process name; shutdown is a no-op so stopping Quartz never closes the gateway's pool.
            String dsName = "gateway-" + UUID.randomUUID();
            DBConnectionManager.getInstance().addConnectionProvider(dsName, new SharedPool(ds));
            p.put("org.quartz.scheduler.instanceName", CLUSTER_SCHEDULER);
            p.put("org.quartz.scheduler.instanceId", "AUTO");
            p.put("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
            p.put("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
            p.put("org.quartz.jobStore.tablePrefix", "QRTZ_");
            p.put("org.quartz.jobStore.dataSource", dsName);
            p.put("org.quartz.jobStore.isClustered", "true");
            p.put("org.quartz.jobStore.clusterCheckinInterval",
                    String.valueOf(settings.duration("gateway.cluster.checkin-interval").toMillis()));
            p.put("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        } else {
            // unique per gateway: Quartz shares schedulers by name inside one JVM (tests run several gateways)
            p.put("org.quartz.scheduler.instanceName", "agc-gateway-" + UUID.randomUUID());
            p.put("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        }
        q.setProperties(p);
        return q;
    }

    private record SharedPool(DataSource ds) implements ConnectionProvider {
        @Override
        public Connection getConnection() throws SQLException {
            return ds.getConnection();
        }

        @Override
        public void shutdown() {
        }

        @Override
        public void initialize() {
        }
    }
}
