package io.agcgateway.logs;

import io.agcgateway.http.Json;
import io.agcgateway.metrics.GatewayMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Writes operations off the request path: a bounded queue drained in batches by one thread.
 * A full queue drops the operation and counts it, so a slow database never slows or fails a proxied call.
 */
public final class OperationLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OperationLog.class);
    private static final String INSERT = "INSERT INTO operations (op_type, action, status, integration_key, connection_id, message, "
            + "error_code, request_json, response_json, meta_json, http_status, attempts, duration_ms, created_at, ended_at) "
            + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

    private final BlockingQueue<Operation> queue;
    private final JdbcTemplate jdbc;
    private final GatewayMetrics metrics;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final Thread writer;
    private volatile boolean running = true;

    public OperationLog(DataSource ds, int capacity, GatewayMetrics metrics) {
        this.jdbc = new JdbcTemplate(ds);
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.metrics = metrics;
        this.writer = new Thread(this::drain, "operation-log-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** Never blocks: returns false (and counts a drop) when the queue is full. */
    public boolean submit(Operation op) {
        if (queue.offer(op)) {
            return true;
        }
        dropped.incrementAndGet();
        metrics.logDropped();
        return false;
    }

    public long dropped() {
        return dropped.get();
    }

    public long written() {
        return written.get();
    }

    public int backlog() {
        return queue.size();
    }

    /** Waits until everything submitted so far is written (tests, shutdown). */
    public void flush(long timeoutMs) {
        long end = System.currentTimeMillis() + timeoutMs;
        while (!queue.isEmpty() && System.currentTimeMillis() < end) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        synchronized (this) {
            // the writer holds this monitor while a batch is in flight
        }
    }

    private void drain() {
        List<Operation> batch = new ArrayList<>(256);
        while (running || !queue.isEmpty()) {
            try {
                Operation first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                synchronized (this) {
                    batch.add(first);
                    queue.drainTo(batch, 255);
                    write(batch);
                    batch.clear();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("could not write {} operations to the log: {}", batch.size(), e.getClass().getSimpleName());
                dropped.addAndGet(batch.size());
                batch.clear();
                sleepQuietly(1000);
            }
        }
    }

    private void write(List<Operation> batch) {
        List<Object[]> rows = new ArrayList<>(batch.size());
        for (Operation o : batch) {
            rows.add(new Object[] {o.type(), o.action(), o.status(), o.integrationKey(), cut(o.connectionId(), 255), cut(o.message(), 4000),
                    o.errorCode(), json(o.request()), json(o.response()), json(o.meta()), o.httpStatus(), o.attempts(), o.durationMs(),
                    o.createdAt(), o.endedAt()});
        }
        jdbc.batchUpdate(INSERT, rows);
        written.addAndGet(batch.size());
    }

    private static String json(Object o) {
        if (o == null) {
            return null;
        }
        String s = Json.write(o);
        return s.length() > 100_000 ? Json.write(java.util.Map.of("truncated", true, "size", s.length())) : s;
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        flush(5000);
        running = false;
        writer.interrupt();
    }
}
