package io.agcgateway.health;

import io.agcgateway.http.HttpReply;
import io.agcgateway.http.Json;
import io.agcgateway.metrics.GatewayMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;

/**
 * GET /dashboard/api/health (routes/dashboard-health): the numbers of the dashboard's Health page, as dense series a
 * chart draws directly (x in epoch seconds, one entry per bucket, empty buckets 0 or null). Counts only: no token,
 * key, URL or connection id is read, so none can be answered.
 */
public final class HealthApi {
    /** Atlassian expires a refresh token that has not been used for 90 days (docs/ARCHITECTURE.md "Tokens and refresh"). */
    static final int INACTIVITY_LIMIT_DAYS = 90;
    static final List<String> STATES = List.of("fresh", "due", "failing", "revoked");
    private static final long MINUTE = 60_000;
    private static final long HOUR = 3_600_000;
    private static final int PROXY_BUCKETS = 60;
    private static final int REFRESH_BUCKETS = 24;
    /** Ages past a year share the last bar, so one ancient row does not stretch the histogram to thousands of days. */
    private static final int MAX_AGE_DAYS = 365;

    private final HealthStore store;
    private final GatewayMetrics metrics;
    private final Clock clock;
    private final Duration refreshMargin;
    private final Duration keepAliveAge;

    /**
     * @param refreshMargin a token is due this long before it expires (gateway.refresh.margin)
     * @param keepAliveAge  idle refresh tokens older than this are refreshed by the sweep (gateway.refresh.keep-alive-age)
     */
    public HealthApi(HealthStore store, GatewayMetrics metrics, Clock clock, Duration refreshMargin, Duration keepAliveAge) {
        this.store = store;
        this.metrics = metrics;
        this.clock = clock;
        this.refreshMargin = refreshMargin;
        this.keepAliveAge = keepAliveAge;
    }

    public void health(Exchange ex) {
        ex.setProperty(HttpReply.STATUS, 200);
        ex.getMessage().setBody(snapshot());
    }

    Map<String, Object> snapshot() {
        long now = clock.millis();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("generated_at", Json.timestamp(now));
        body.put("proxy", proxy(now));
        body.put("refresh", refresh(now));
        body.put("connections", connections(store.connectionAges(now, now + refreshMargin.toMillis()), keepAliveAge));
        return body;
    }

    private Map<String, Object> proxy(long now) {
        long from = now / MINUTE * MINUTE - (PROXY_BUCKETS - 1) * MINUTE;
        long[] time = times(from, MINUTE, PROXY_BUCKETS);
        long[] requests = new long[PROXY_BUCKETS];
        long[] errors = new long[PROXY_BUCKETS];
        Double[][] latency = new Double[3][PROXY_BUCKETS];
        for (HealthStore.ProxyBucket b : store.proxy(from, now + 1, MINUTE)) {
            int i = (int) b.bucket();
            if (i >= 0 && i < PROXY_BUCKETS) {
                requests[i] = b.requests();
                errors[i] = b.errors();
                latency[0][i] = round(b.p50());
                latency[1][i] = round(b.p95());
                latency[2][i] = round(b.p99());
            }
        }
        Map<String, Object> series = new LinkedHashMap<>();
        series.put("time", time);
        series.put("requests", requests);
        series.put("errors", errors);
        series.put("p50_ms", latency[0]);
        series.put("p95_ms", latency[1]);
        series.put("p99_ms", latency[2]);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("bucket_seconds", MINUTE / 1000);
        out.put("series", series);
        List<HealthStore.ProxyBucket> whole = store.proxy(from, now + 1, now + 1 - from);
        HealthStore.ProxyBucket all = whole.isEmpty() ? new HealthStore.ProxyBucket(0, 0, 0, null, null, null) : whole.get(0);
        out.put("requests", all.requests());
        out.put("errors", all.errors());
        Map<String, Object> latencyMs = new LinkedHashMap<>();
        latencyMs.put("p50", round(all.p50()));
        latencyMs.put("p95", round(all.p95()));
        latencyMs.put("p99", round(all.p99()));
        out.put("latency_ms", latencyMs);
        return out;
    }

    private Map<String, Object> refresh(long now) {
        long from = now / HOUR * HOUR - (REFRESH_BUCKETS - 1) * HOUR;
        long[][] counts = new long[3][REFRESH_BUCKETS];
        for (HealthStore.RefreshBucket b : store.refreshes(from, now + 1, HOUR)) {
            int i = (int) b.bucket();
            if (i >= 0 && i < REFRESH_BUCKETS) {
                counts[0][i] = b.ok();
                counts[1][i] = b.rejected();
                counts[2][i] = b.transientFailures();
            }
        }
        Map<String, Object> series = new LinkedHashMap<>();
        series.put("time", times(from, HOUR, REFRESH_BUCKETS));
        series.put("ok", counts[0]);
        series.put("rejected", counts[1]);
        series.put("transient", counts[2]);
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("ok", sum(counts[0]));
        totals.put("rejected", sum(counts[1]));
        totals.put("transient", sum(counts[2]));
        // this node's counters: they also count what the log queue may have dropped, and the sweep's recoveries
        Map<String, Long> outcomes = metrics.counts("gateway_refresh", "outcome");
        Map<String, Object> sinceStart = new LinkedHashMap<>();
        sinceStart.put("ok", outcomes.getOrDefault("ok", 0L));
        sinceStart.put("rejected", outcomes.getOrDefault("rejected", 0L));
        sinceStart.put("transient", outcomes.getOrDefault("unavailable", 0L));
        sinceStart.put("recovered", metrics.counts("gateway_sweep_connections", "outcome").getOrDefault("recovered", 0L));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("bucket_seconds", HOUR / 1000);
        out.put("series", series);
        out.put("totals", totals);
        out.put("since_start", sinceStart);
        return out;
    }

    /** By state, and a histogram of refresh-token age in days (index = days) per state. */
    static Map<String, Object> connections(List<HealthStore.AgeCount> rows, Duration keepAliveAge) {
        long oldest = -1;
        for (HealthStore.AgeCount r : rows) {
            oldest = Math.max(oldest, Math.max(0, r.ageDays()));
        }
        int days = (int) Math.max(INACTIVITY_LIMIT_DAYS + 10, Math.min(MAX_AGE_DAYS, oldest) + 1);
        Map<String, long[]> histogram = new LinkedHashMap<>();
        Map<String, Long> byState = new LinkedHashMap<>();
        for (String s : STATES) {
            histogram.put(s, new long[days]);
            byState.put(s, 0L);
        }
        long total = 0;
        long overLimit = 0;
        for (HealthStore.AgeCount r : rows) {
            long[] bars = histogram.get(r.state());
            int day = (int) Math.min(days - 1, Math.max(0, r.ageDays()));
            bars[day] += r.connections();
            byState.merge(r.state(), r.connections(), Long::sum);
            total += r.connections();
            if (r.ageDays() >= INACTIVITY_LIMIT_DAYS) {
                overLimit += r.connections();
            }
        }
        long[] axis = new long[days];
        for (int d = 0; d < days; d++) {
            axis[d] = d;
        }
        Map<String, Object> ages = new LinkedHashMap<>();
        ages.put("days", axis);
        ages.putAll(histogram);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total", total);
        out.put("by_state", byState);
        out.put("inactivity_limit_days", INACTIVITY_LIMIT_DAYS);
        out.put("keep_alive_days", keepAliveAge.toDays());
        out.put("oldest_days", oldest < 0 ? null : oldest);
        out.put("over_limit", overLimit);
        out.put("age_histogram", ages);
        return out;
    }

    private static long[] times(long from, long step, int n) {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = (from + i * step) / 1000;
        }
        return t;
    }

    private static long sum(long[] values) {
        long s = 0;
        for (long v : values) {
            s += v;
        }
        return s;
    }

    /** Milliseconds to one decimal: interpolated percentiles need no more. */
    private static Double round(Double ms) {
        return ms == null ? null : Math.round(ms * 10) / 10.0;
    }
}
