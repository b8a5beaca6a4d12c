package io.agcgateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;

/**
 * The gateway's own meters, exported on /observe/metrics with Camel's (docs/OPERATIONS.md lists them).
 * The Prometheus registry is created by camel-micrometer-prometheus at startup, so it is looked up lazily.
 */
public final class GatewayMetrics {
    private volatile MeterRegistry registry;
    private final Supplier<CamelContext> context;
    /**
     * Meters of the proxy's hot path, built once: a Micrometer builder + register per call costs an id, a tag sort
     * and a registry lookup on every proxied request.
     */
    private final Map<String, Object> hotMeters = new ConcurrentHashMap<>();

    /** Meters that count nowhere: for tests of beans that take metrics but are not under test for them. */
    public GatewayMetrics() {
        this(() -> null);
    }

    /** @param context the running CamelContext once it exists, where camel-micrometer-prometheus binds its registry */
    public GatewayMetrics(Supplier<CamelContext> context) {
        this.context = context;
    }

    public MeterRegistry registry() {
        MeterRegistry r = registry;
        if (r == null) {
            CamelContext ctx = context.get();
            MeterRegistry found = ctx == null ? null : ctx.getRegistry().findSingleByType(MeterRegistry.class);
            if (found == null) {
                return new CompositeMeterRegistry(); // not started yet: count nowhere rather than fail
            }
            registry = r = found;
        }
        return r;
    }

    @SuppressWarnings("unchecked")
    private <M> M hot(String key, Function<String, M> create) {
        Object m = hotMeters.get(key);
        if (m != null) {
            return (M) m;
        }
        M made = create.apply(key);
        if (registry == null) {
            return made; // before startup the meter lands in a throwaway registry: do not keep it
        }
        Object raced = hotMeters.putIfAbsent(key, made);
        return raced == null ? made : (M) raced;
    }

    public void logDropped() {
        Counter.builder("gateway_log_queue_dropped").description("operations dropped because the log queue was full")
                .register(registry()).increment();
    }

    public void logSpooled(long n) {
        Counter.builder("gateway_log_spooled").description("operations kept in the data dir's spool while the database was unreachable")
                .register(registry()).increment(n);
    }

    /** @param reason rejected (the database refused that row) or unavailable (it could not be reached) */
    public void logWriteDropped(String reason, long n) {
        Counter.builder("gateway_log_write_dropped").description("operations the database refused or could not take")
                .tag("reason", reason).register(registry()).increment(n);
    }

    public void refresh(String outcome, String integration) {
        Counter.builder("gateway_refresh").description("token refreshes at the provider by outcome (ok, rejected, unavailable)")
                .tag("outcome", outcome).tag("integration", integration).register(registry()).increment();
    }

    public void tokenCache(boolean hit) {
        hot(hit ? "cache-hit" : "cache-miss", k -> Counter.builder("gateway_token_cache")
                .description("token lookups on the proxy path: hit = served from memory, miss = read from the database")
                .tag("result", hit ? "hit" : "miss").register(registry())).increment();
    }

    public void proxyCall(String integration, int status, Duration d) {
        String statusClass = status / 100 + "xx";
        hot(integration + '\n' + statusClass, k -> Timer.builder("gateway_proxy_requests")
                .description("proxied calls by integration and status class")
                .tag("integration", integration).tag("status", statusClass)
                .publishPercentileHistogram().register(registry())).record(d);
    }

    public void sweep(String outcome, long n) {
        Counter.builder("gateway_sweep_connections").description("connections handled by the refresh sweep by outcome (refreshed, failed, skipped; recovered: refreshes a stopped node left half-done, redone first)")
                .tag("outcome", outcome).register(registry()).increment(n);
    }

    public void sweepDuration(Duration d) {
        Timer.builder("gateway_sweep_duration").description("duration of one refresh sweep").register(registry()).record(d);
    }

    /** Rows deleted by the purge route (routes/purge.camel.yaml), by table. */
    public void purged(String table, long n) {
        Counter.builder("gateway_purged_rows").description("rows deleted by the retention purge, by table")
                .tag("table", table).register(registry()).increment(n);
    }

    public void webhook(String outcome) {
        Counter.builder("gateway_webhooks").description("auth webhook deliveries by outcome").tag("outcome", outcome)
                .register(registry()).increment();
    }

    /**
     * What a counter has counted on this node since it started, summed by one tag's values (the Health page's
     * "since start" numbers): {@code counts("gateway_refresh", "outcome")} → {ok=3, rejected=1}.
     */
    public Map<String, Long> counts(String name, String tag) {
        Map<String, Long> out = new java.util.TreeMap<>();
        for (Counter c : registry().find(name).counters()) {
            String value = c.getId().getTag(tag);
            if (value != null) {
                out.merge(value, (long) c.count(), Long::sum);
            }
        }
        return out;
    }

    /** Registers the gauge once the registry exists (Micrometer keeps the first registration of a name). */
    public void websocketsOpen(AtomicInteger open) {
        if (registry == null && registry() instanceof CompositeMeterRegistry) {
            return;
        }
        hot("ws-open", k -> Gauge.builder("gateway_websockets_open", open, AtomicInteger::get)
                .description("WebSockets of @nangohq/frontend auth flows open on this node").register(registry()));
    }

    /** The HTTP listener's connection count and cap refusals (gateway.http.max-connections), read when scraped. */
    public void httpConnections(java.util.function.IntSupplier open, java.util.function.LongSupplier refused) {
        Gauge.builder("gateway_http_connections_open", open, o -> o.getAsInt())
                .description("client connections open on this node").register(registry());
        io.micrometer.core.instrument.FunctionCounter.builder("gateway_http_connections_refused", refused, r -> r.getAsLong())
                .description("client connections closed on arrival because gateway.http.max-connections were open").register(registry());
    }

    /** @param type connection_ack, success or error */
    public void websocketMessage(String type) {
        hot("ws-" + type, k -> Counter.builder("gateway_websocket_messages").description("messages sent on auth-flow WebSockets by type")
                .tag("type", type).register(registry())).increment();
    }

    /** @param outcome sent (NOTIFY for a socket on another node) or delivered (a NOTIFY whose socket is here) */
    public void websocketRelay(String outcome) {
        hot("ws-relay-" + outcome, k -> Counter.builder("gateway_websocket_relay").description("auth-flow messages between nodes (gateway.cluster=true)")
                .tag("outcome", outcome).register(registry())).increment();
    }
}
