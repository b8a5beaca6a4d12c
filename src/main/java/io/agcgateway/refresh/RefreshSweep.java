package io.agcgateway.refresh;

import io.agcgateway.connections.Connection;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.http.GatewayException;
import io.agcgateway.http.Json;
import io.agcgateway.logs.Operation;
import io.agcgateway.logs.OperationLog;
import io.agcgateway.metrics.GatewayMetrics;
import io.agcgateway.store.MetaStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of routes/token-refresh.camel.yaml: begin a run, hand out keyset pages of connections to refresh
 * (SweepPolicy decides each), count outcomes, and finish with metrics, a log line and the last-run record in
 * gateway_meta (key {@value #LAST_RUN_KEY}: which node swept when, for operators and the failover test).
 */
public final class RefreshSweep {
    private static final Logger LOG = LoggerFactory.getLogger(RefreshSweep.class);
    public static final String RUN = "gateway.sweep.run";
    public static final String LAST_RUN_KEY = "refresh.sweep.last";

    private final ConnectionStore store;
    private final SweepPolicy policy;
    private final GatewayMetrics metrics;
    private final OperationLog log;
    private final Clock clock;
    private final String nodeId;
    private final int pageSize;
    private final MetaStore meta;

    public RefreshSweep(ConnectionStore store, MetaStore meta, SweepPolicy policy, GatewayMetrics metrics, OperationLog log,
                        Clock clock, String nodeId, int pageSize) {
        this.store = store;
        this.policy = policy;
        this.metrics = metrics;
        this.log = log;
        this.clock = clock;
        this.nodeId = nodeId;
        this.pageSize = pageSize;
        this.meta = meta;
    }

    /** One sweep's state; shared by reference with the split's parallel sub-exchanges, hence the atomics. */
    public static final class Run {
        final long startedAt;
        final long nanos = System.nanoTime();
        volatile long cursor;
        volatile boolean more = true;
        volatile boolean recovering = true;
        final java.util.Set<Long> recovered = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final AtomicLong refreshed = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong skipped = new AtomicLong();

        Run(long startedAt) {
            this.startedAt = startedAt;
        }

        public long refreshed() {
            return refreshed.get();
        }

        public long failed() {
            return failed.get();
        }

        public long skipped() {
            return skipped.get();
        }
    }

    public void begin(Exchange exchange) {
        exchange.setProperty(RUN, new Run(clock.millis()));
        // every connection the sweep picks is refreshed now, before its token is due (SweepPolicy said why)
        exchange.setProperty(RefreshConnection.FORCE, true);
    }

    public boolean hasMore(Exchange exchange) {
        return run(exchange).more;
    }

    /**
     * The next page of connections to refresh; rows the policy skips are counted, not returned. The first page of a run
     * is the refreshes a crash interrupted (lease taken, never released), whatever the policy says: they may have spent
     * their refresh token at the provider, whose reuse leeway is short.
     */
    public List<Connection> nextPage(Exchange exchange) {
        Run run = run(exchange);
        long now = clock.millis();
        if (run.recovering) {
            run.recovering = false;
            List<Connection> interrupted = store.interruptedRefreshes(now, pageSize);
            if (!interrupted.isEmpty()) {
                interrupted.forEach(c -> run.recovered.add(c.id()));
                metrics.sweep("recovered", interrupted.size());
                LOG.info("sweep redoes {} refresh(es) interrupted by a stopped node, first", interrupted.size());
                return interrupted;
            }
        }
        List<Connection> page = store.sweepCandidates(run.cursor, policy.dueBefore(now), policy.activeSince(now),
                policy.keepAliveBefore(now), pageSize);
        run.more = page.size() == pageSize;
        List<Connection> due = new ArrayList<>(page.size());
        for (Connection c : page) {
            run.cursor = c.id();
            if (run.recovered.contains(c.id())) {
                continue;
            }
            SweepDecision d = policy.decide(c, now);
            if (d.refresh()) {
                due.add(c);
            } else {
                run.skipped.incrementAndGet();
                LOG.debug("sweep skips connection={} integration={} reason={}", c.connectionId(), c.integrationKey(), d.reason());
            }
        }
        return due;
    }

    /** After direct:refresh-connection answered: a 5xx/timeout keeps the old token and answers it, so check the row. */
    public void done(Exchange exchange) {
        Connection c = exchange.getMessage().getBody(Connection.class);
        if (c != null && Connection.OK.equals(c.refreshState())) {
            run(exchange).refreshed.incrementAndGet();
        } else {
            run(exchange).failed.incrementAndGet();
        }
    }

    public void failed(Exchange exchange) {
        run(exchange).failed.incrementAndGet();
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Connection c = exchange.getMessage().getBody(Connection.class);
        String reason = e instanceof GatewayException ge ? ge.code() : e == null ? "unknown" : e.getClass().getSimpleName();
        LOG.warn("sweep refresh failed; connection={} integration={} route=token-refresh reason={}",
                c == null ? "?" : c.connectionId(), c == null ? "?" : c.integrationKey(), reason);
    }

    public Map<String, Object> finish(Exchange exchange) {
        Run run = run(exchange);
        long ended = clock.millis();
        Duration took = Duration.ofNanos(System.nanoTime() - run.nanos);
        metrics.sweep("refreshed", run.refreshed());
        metrics.sweep("failed", run.failed());
        metrics.sweep("skipped", run.skipped());
        metrics.sweepDuration(took);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("node", nodeId);
        summary.put("started_at", run.startedAt);
        summary.put("ended_at", ended);
        summary.put("duration_ms", took.toMillis());
        summary.put("refreshed", run.refreshed());
        summary.put("failed", run.failed());
        summary.put("skipped", run.skipped());
        meta.put(LAST_RUN_KEY, Json.write(summary));
        if (run.refreshed() + run.failed() > 0) {
            LOG.info("sweep done; node={} refreshed={} failed={} skipped={} duration_ms={}", nodeId, run.refreshed(),
                    run.failed(), run.skipped(), took.toMillis());
            log.submit(Operation.success("refresh", "sweep", null, null, "Refresh sweep: " + run.refreshed() + " refreshed, "
                    + run.failed() + " failed, " + run.skipped() + " skipped", run.startedAt, ended, summary));
        } else {
            LOG.debug("sweep done; node={} nothing due, skipped={}", nodeId, run.skipped());
        }
        return summary;
    }

    private static Run run(Exchange exchange) {
        Run run = exchange.getProperty(RUN, Run.class);
        if (run == null) {
            throw new IllegalStateException("no sweep run on this exchange: begin was not called");
        }
        return run;
    }
}
