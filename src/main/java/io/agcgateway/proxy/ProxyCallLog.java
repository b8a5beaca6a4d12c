package io.agcgateway.proxy;

import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.http.GatewayException;
import io.agcgateway.http.HttpReply;
import io.agcgateway.http.Redact;
import io.agcgateway.logs.Operation;
import io.agcgateway.logs.OperationLog;
import io.agcgateway.metrics.GatewayMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a proxied call leaves behind once its answer is written (or failed): one operation row (redacted, queued —
 * never blocks the call), the metrics, the connection's last use (written in batches for the sweep), and the count of
 * calls in flight that admission reads.
 */
public final class ProxyCallLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyCallLog.class);

    private final OperationLog log;
    private final GatewayMetrics metrics;
    private final ConnectionStore store;
    private final Clock clock;
    private final int maxInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Set<Long> used = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService touch;

    public ProxyCallLog(OperationLog log, GatewayMetrics metrics, ConnectionStore store, Clock clock, Duration touchInterval,
                        int maxInFlight) {
        this.log = log;
        this.metrics = metrics;
        this.store = store;
        this.clock = clock;
        this.maxInFlight = maxInFlight;
        this.touch = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "proxy-last-used");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(100, touchInterval.toMillis());
        touch.scheduleWithFixedDelay(this::flushUsed, ms, ms, TimeUnit.MILLISECONDS);
    }

    /**
     * Admits a call (or refuses it with 503 gateway_overloaded beyond gateway.proxy.max-in-flight) and books its
     * end: whatever way the exchange finishes, the row is written and the slot freed exactly once.
     */
    void admit(Exchange exchange, String method) {
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            throw new GatewayException(503, "gateway_overloaded",
                    "The gateway is serving as many proxied calls as it is set to; try again shortly.").retryAfter(1);
        }
        long startNanos = System.nanoTime();
        long startMs = clock.millis();
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange e) {
                inFlight.decrementAndGet();
                finish(e, method, startNanos, startMs);
            }
        });
    }

    public int inFlight() {
        return inFlight.get();
    }

    private void finish(Exchange exchange, String method, long startNanos, long startMs) {
        ProxyCall call = exchange.getProperty(ProxyCall.PROPERTY, ProxyCall.class);
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        if (status == 0) {
            status = exchange.getProperty(HttpReply.STATUS, 500, Integer.class);
        }
        GatewayException failure = HttpReply.unwrap(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
        long durationMs = (System.nanoTime() - startNanos) / 1_000_000;
        // the label is the stored connection's integration, never the caller's header: 2,000 mistyped
        // Provider-Config-Key values must not become 2,000 time series (issue 12 item 9)
        String integration = call == null || call.entry() == null ? "unknown" : call.entry().connection().integrationKey();
        try {
            metrics.proxyCall(integration, status, Duration.ofMillis(durationMs));
            if (call != null && call.entry() != null) {
                used.add(call.entry().connection().id());
            }
            log.submit(operation(call, method, status, failure, durationMs, startMs));
        } catch (RuntimeException e) {
            LOG.warn("proxy call bookkeeping failed; integration={} route=api-proxy reason={}", integration, e.getClass().getSimpleName());
        }
    }

    private static Operation operation(ProxyCall call, String method, int status, GatewayException failure, long durationMs, long startMs) {
        String path = call == null || call.path() == null ? "" : Redact.text(call.path());
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("method", method);
        if (call != null) {
            request.put("url", Redact.text((call.base() == null ? "" : call.base()) + (call.path() == null ? "" : call.path())
                    + (call.rawQuery == null ? "" : "?" + call.rawQuery)));
            request.put("headers", redactHeaders(call.forward));
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("status", status);
        if (call != null && call.relayedHeaders() != null && failure == null) {
            response.put("headers", redactHeaders(call.relayedHeaders()));
        }
        boolean ok = status < 400;
        String error = ok ? null : failure != null ? failure.code() : "upstream_" + status;
        return new Operation("proxy", "proxy", ok ? "success" : "failed", call == null ? null : call.integrationKey,
                call == null ? null : call.connectionId, method + " " + path + " -> " + status, error, status,
                call == null ? 0 : call.attempts(), durationMs, request, response, null, startMs, startMs + durationMs);
    }

    private static Map<String, Object> redactHeaders(Map<String, Object> h) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : h.entrySet()) {
            String lower = e.getKey().toLowerCase(Locale.ROOT);
            boolean secret = lower.equals("authorization") || lower.equals("cookie") || lower.equals("set-cookie")
                    || lower.contains("token") || lower.contains("secret") || lower.contains("api-key");
            out.put(e.getKey(), secret ? "REDACTED" : e.getValue() instanceof String s ? Redact.text(s) : Redact.text(String.valueOf(e.getValue())));
        }
        return out;
    }

    /** Writes last_used_at for the connections proxied since the last run, in one batch (the sweep reads it). */
    void flushUsed() {
        if (used.isEmpty()) {
            return;
        }
        List<Long> ids = new ArrayList<>(used);
        used.removeAll(ids);
        try {
            store.touchUsed(ids, clock.millis());
        } catch (RuntimeException e) {
            LOG.warn("could not record last use of {} connections; route=api-proxy reason={}", ids.size(), e.getClass().getSimpleName());
        }
    }

    @Override
    public void close() {
        flushUsed();
        touch.shutdownNow();
    }
}
