package io.agcgateway.logs;

import io.agcgateway.http.ControlChars;
import io.agcgateway.http.Json;
import io.agcgateway.metrics.GatewayMetrics;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.TransactionException;

/**
 * Writes operations off the request path: a bounded queue drained in batches by one thread. A batch waits up to
 * {@code linger} for more rows after its first one, so a busy node commits a few large batches a second instead of one
 * small transaction per call: on H2 each commit rewrites store chunks (with {@code WRITE_DELAY=0} at once), which cost
 * 39% of the gateway's CPU at 6,000 proxied calls/s before the linger (async-profiler, bench/proxy.sh scenario a).
 * A full queue drops the operation and counts it, so a slow database never slows or fails a proxied call;
 * a row the database refuses is dropped and counted alone (see {@link #write}).
 */
public final class OperationLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OperationLog.class);
    private static final int BATCH = 1_000;
    private static final long NAP_MS = 10;

    private final BlockingQueue<Operation> queue;
    private final OperationStore store;
    private final GatewayMetrics metrics;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong spooled = new AtomicLong();
    /** Submitted and not yet written or dropped: what {@link #flush} waits for (queued or in the writer's hands). */
    private final AtomicLong pending = new AtomicLong();
    private final Thread writer;
    private final long lingerNanos;
    /** Rows the database could not take while it was unreachable: written after it comes back (null: dropped). */
    private final Spool spool;
    private volatile boolean running = true;

    public OperationLog(DataSource ds, int capacity, GatewayMetrics metrics) {
        this(ds, capacity, Duration.ZERO, metrics);
    }

    public OperationLog(DataSource ds, int capacity, Duration linger, GatewayMetrics metrics) {
        this(ds, capacity, linger, null, metrics);
    }

    public OperationLog(DataSource ds, int capacity, Duration linger, Spool spool, GatewayMetrics metrics) {
        this.lingerNanos = linger.toNanos();
        this.spool = spool;
        this.store = new OperationStore(ds);
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.metrics = metrics;
        this.writer = new Thread(this::drain, "operation-log-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** Never blocks: returns false (and counts a drop) when the queue is full. */
    public boolean submit(Operation op) {
        pending.incrementAndGet();
        if (queue.offer(op)) {
            return true;
        }
        pending.decrementAndGet();
        dropped.incrementAndGet();
        metrics.logDropped();
        return false;
    }

    /** Operations lost: queue full, refused by the database, or the database unavailable. */
    public long dropped() {
        return dropped.get();
    }

    public long written() {
        return written.get();
    }

    public int backlog() {
        return queue.size();
    }

    /** Waits until everything submitted so far is written or dropped (tests, shutdown), at most {@code timeoutMs}. */
    public void flush(long timeoutMs) {
        long end = System.currentTimeMillis() + timeoutMs;
        while (pending.get() > 0 && System.currentTimeMillis() < end) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void drain() {
        List<Operation> batch = new ArrayList<>(BATCH);
        while (running || !queue.isEmpty()) {
            try {
                Operation first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                fill(batch);
                try {
                    write(batch);
                } catch (RuntimeException e) {
                    drop(batch.size(), "unexpected", e);
                } finally {
                    pending.addAndGet(-batch.size());
                    batch.clear();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Adds what is queued to the batch, waiting up to the linger for a full one. It naps in short steps rather than
     * taking rows one by one: a wake-up per row cost 5% of the CPU at 6,000 rows/s. An interrupt ends the wait, not the
     * batch.
     */
    private void fill(List<Operation> batch) {
        long end = System.nanoTime() + lingerNanos;
        queue.drainTo(batch, BATCH - batch.size());
        while (batch.size() < BATCH && running && queue.size() < BATCH - batch.size()) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                Thread.sleep(Math.max(1, Math.min(NAP_MS, TimeUnit.NANOSECONDS.toMillis(left))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        queue.drainTo(batch, BATCH - batch.size());
    }

    /**
     * Writes one batch in one transaction, so it is all or nothing on every database. When the database refuses it, the
     * rows are written one by one and only those it refuses again are dropped: one bad row used to cost the other 255
     * (issue 12). An unavailable database costs the batch at once; nothing sleeps, the pool's connection timeout paces it.
     */
    void write(List<Operation> batch) {
        List<Object[]> rows = new ArrayList<>(batch.size());
        for (Operation o : batch) {
            try {
                rows.add(row(o));
            } catch (RuntimeException e) {
                drop(1, "rejected", e);
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        try {
            store.insertAll(rows);
            written.addAndGet(rows.size());
            replaySpool();
            return;
        } catch (RuntimeException e) {
            if (unavailable(e)) {
                spoolOrDrop(rows, e);
                return;
            }
        }
        for (int i = 0; i < rows.size(); i++) {
            try {
                store.insert(rows.get(i));
                written.incrementAndGet();
            } catch (RuntimeException e) {
                if (unavailable(e)) {
                    spoolOrDrop(rows.subList(i, rows.size()), e);
                    return;
                }
                drop(1, "rejected", e);
            }
        }
    }

    /**
     * The database, not a row, is at fault: no connection from the pool, a transaction that could not begin, commit or roll
     * back (its connection is gone), or SQLSTATE class 08 / 57P (connection exception, operator intervention).
     */
    static boolean unavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TransactionException || t instanceof CannotGetJdbcConnectionException
                    || t instanceof SQLException sql && io.agcgateway.store.Database.connectionLost(sql)) {
                return true;
            }
        }
        return false;
    }

    /** The database is unreachable: keep the rows in the spool file (bounded) for later, drop only what does not fit. */
    private void spoolOrDrop(List<Object[]> rows, Throwable cause) {
        int kept = spool == null ? 0 : spool.append(rows);
        if (kept > 0) {
            spooled.addAndGet(kept);
            metrics.logSpooled(kept);
        }
        if (kept < rows.size()) {
            drop(rows.size() - kept, "unavailable", cause);
        }
    }

    /** After a write went through: the database is back, so the spooled rows go in, in batches, oldest first. */
    private void replaySpool() {
        if (spool == null || !spool.hasRows()) {
            return;
        }
        int n = spool.replay(store::insertAll, BATCH);
        written.addAndGet(n);
        if (n > 0) {
            LOG.info("operation log: {} operation(s) written from the spool after the database came back", n);
        }
    }

    /** Operations kept in the spool file while the database was unreachable (later written). */
    public long spooled() {
        return spooled.get();
    }

    private void drop(int n, String reason, Throwable cause) {
        dropped.addAndGet(n);
        metrics.logWriteDropped(reason, n);
        LOG.warn("operation log: {} operation(s) dropped ({}): {}{}", n, reason, cause.getClass().getSimpleName(), sqlState(cause));
    }

    private static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return " SQLSTATE " + sql.getSQLState();
            }
        }
        return "";
    }

    /** Text is escaped (PostgreSQL refuses NUL) and cut to its column (V1__core.sql), so no value can fail its row. */
    private static Object[] row(Operation o) {
        return new Object[] {text(o.type(), 40), text(o.action(), 80), text(o.status(), 20), text(o.integrationKey(), 255),
                text(o.connectionId(), 255), text(o.message(), 4000), text(o.errorCode(), 120), json(o.request()), json(o.response()),
                json(o.meta()), o.httpStatus(), o.attempts(), o.durationMs(), o.createdAt(), o.endedAt()};
    }

    private static String text(String s, int max) {
        String t = ControlChars.escape(s);
        return t == null || t.length() <= max ? t : t.substring(0, max);
    }

    /** JSON text needs no escaping: Jackson writes every control character as an escape (RFC 8259 §7). */
    private static String json(Object o) {
        if (o == null) {
            return null;
        }
        String s = Json.write(o);
        return s.length() > 100_000 ? Json.write(java.util.Map.of("truncated", true, "size", s.length())) : s;
    }

    @Override
    public void close() {
        flush(5000);
        running = false;
        writer.interrupt();
    }
}
