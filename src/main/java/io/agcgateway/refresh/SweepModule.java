package io.agcgateway.refresh;

import io.agcgateway.config.GatewaySettings;
import io.agcgateway.config.StartupException;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.logs.OperationLog;
import io.agcgateway.metrics.GatewayMetrics;
import java.sql.Connection;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.main.Main;
import org.quartz.CronExpression;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * Binds the refresh sweep (routes/token-refresh.camel.yaml), the shared refresh route's bean
 * (routes/refresh-connection.camel.yaml) and the Quartz scheduler: RAM job store on one node, the JDBC clustered
 * store on PostgreSQL with gateway.cluster=true, so each sweep fires on exactly one node and a dead node's
 * triggers move to a live one (DESIGN §9).
 */
public final class SweepModule {
    /** Same on every node: Quartz clusters the schedulers that share this name and the QRTZ_ tables. */
    static final String CLUSTER_SCHEDULER = "agc-gateway";

    private SweepModule() {
    }

    public static void install(Main main, GatewaySettings settings, DataSource ds, Clock clock) {
        RefreshService refresh = main.lookup("refreshService", RefreshService.class);
        ConnectionStore store = main.lookup("connectionStore", ConnectionStore.class);
        GatewayMetrics metrics = main.lookup("gatewayMetrics", GatewayMetrics.class);
        OperationLog log = main.lookup("operationLog", OperationLog.class);
        if (refresh == null || store == null || metrics == null || log == null) {
            throw new StartupException("SweepModule.install must run after the core beans are bound (Gateway.start)");
        }
        String cron = settings.raw("gateway.refresh.sweep-cron");
        Duration interval = cronInterval(cron);
        Duration margin = settings.duration("gateway.refresh.margin");
        Duration activeWindow = settings.duration("gateway.refresh.active-window");
        Duration keepAlive = settings.duration("gateway.refresh.keep-alive-age");
        int parallelism = settings.integer("gateway.refresh.sweep-parallelism", 1, 256);
        int pageSize = settings.integer("gateway.refresh.sweep-page-size", 10, 10_000);
        // two intervals: the next sweep may itself need a while to reach a connection (see SweepPolicy)
        SweepPolicy policy = new SweepPolicy(margin, interval.multipliedBy(2), activeWindow, keepAlive);

        main.bind("sweepPolicy", policy);
        main.bind("refreshSweep", new RefreshSweep(store, policy, metrics, log, clock, refresh.nodeId(), pageSize));
        main.bind("refreshConnection", new RefreshConnection(store, refresh));
        main.bind("sweepPool", sweepPool(parallelism));
        main.bind("quartz", quartz(settings, ds));
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

    private static ExecutorService sweepPool(int threads) {
        AtomicInteger n = new AtomicInteger();
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "refresh-sweep-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    static QuartzComponent quartz(GatewaySettings settings, DataSource ds) {
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
