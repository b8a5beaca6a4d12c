package io.agcgateway.sandbox;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fault knobs of the emulated AGC: added latency, injected error statuses, 429s and dropped connections.
 * One-shot knobs ("the next N calls") are consumed in this order: drop, 429, fail-next, then fail-every.
 * Thread-safe; {@link #reset()} returns to the values of the gateway.sandbox.* settings.
 */
public final class SandboxFaults {

    /** Which endpoint family a call belongs to: the token endpoint or the API host (resources, /ex/jira). */
    public enum Target { TOKEN, API }

    /** What to do with one call instead of emulating it. */
    public record Fault(Kind kind, int status, int retryAfterSeconds) {
        public enum Kind { FAIL, RATE_LIMIT, DROP }
    }

    private final Duration defaultLatency;
    private final int defaultFailEvery;
    private final int defaultFailStatus;

    private Duration latency;
    private Duration tokenLatency = Duration.ZERO;
    private int failEvery;
    private int failStatus;
    private long calls;
    private int tokenFailures;
    private int tokenFailStatus = 503;
    private int apiFailures;
    private int apiFailStatus = 503;
    private int rateLimits;
    private int retryAfterSeconds = 1;
    private int drops;

    public SandboxFaults(Duration latency, int failEvery, int failStatus) {
        this.defaultLatency = latency;
        this.defaultFailEvery = failEvery;
        this.defaultFailStatus = failStatus;
        reset();
    }

    public static SandboxFaults none() {
        return new SandboxFaults(Duration.ZERO, 0, 503);
    }

    /** Added to every sandbox call (setting gateway.sandbox.latency). */
    public synchronized SandboxFaults latency(Duration d) {
        latency = nonNegative(d);
        return this;
    }

    /** Added to token endpoint calls only, on top of {@link #latency(Duration)}. */
    public synchronized SandboxFaults tokenLatency(Duration d) {
        tokenLatency = nonNegative(d);
        return this;
    }

    /** Every Nth token or API call answers {@code status} (settings gateway.sandbox.fail-every / fail-status); 0 turns it off. */
    public synchronized SandboxFaults failEvery(int n, int status) {
        failEvery = Math.max(0, n);
        failStatus = status(status);
        calls = 0;
        return this;
    }

    public synchronized SandboxFaults failNextTokenCalls(int n, int status) {
        tokenFailures = Math.max(0, n);
        tokenFailStatus = status(status);
        return this;
    }

    public synchronized SandboxFaults failNextApiCalls(int n, int status) {
        apiFailures = Math.max(0, n);
        apiFailStatus = status(status);
        return this;
    }

    /** The next N API calls answer 429 with Retry-After and X-RateLimit-Reset, as Jira's rate limiter does. */
    public synchronized SandboxFaults rateLimitNextApiCalls(int n, int retryAfterSeconds) {
        rateLimits = Math.max(0, n);
        this.retryAfterSeconds = Math.max(0, retryAfterSeconds);
        return this;
    }

    /** The next N API calls start a 200 answer and close the connection in the middle of the body. */
    public synchronized SandboxFaults dropNextApiResponses(int n) {
        drops = Math.max(0, n);
        return this;
    }

    public synchronized void reset() {
        latency = defaultLatency;
        tokenLatency = Duration.ZERO;
        failEvery = defaultFailEvery;
        failStatus = defaultFailStatus;
        calls = 0;
        tokenFailures = 0;
        apiFailures = 0;
        rateLimits = 0;
        drops = 0;
    }

    public synchronized Duration delay(Target target) {
        return target == Target.TOKEN ? latency.plus(tokenLatency) : latency;
    }

    /** Consumes and returns the fault for this call, or null to emulate it normally. */
    public synchronized Fault next(Target target) {
        if (target == Target.API) {
            if (drops > 0) {
                drops--;
                return new Fault(Fault.Kind.DROP, 200, 0);
            }
            if (rateLimits > 0) {
                rateLimits--;
                return new Fault(Fault.Kind.RATE_LIMIT, 429, retryAfterSeconds);
            }
            if (apiFailures > 0) {
                apiFailures--;
                return new Fault(Fault.Kind.FAIL, apiFailStatus, 0);
            }
        } else if (tokenFailures > 0) {
            tokenFailures--;
            return new Fault(Fault.Kind.FAIL, tokenFailStatus, 0);
        }
        if (failEvery > 0 && ++calls % failEvery == 0) {
            return new Fault(Fault.Kind.FAIL, failStatus, 0);
        }
        return null;
    }

    public synchronized Map<String, Object> view() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("latency_ms", latency.toMillis());
        v.put("token_latency_ms", tokenLatency.toMillis());
        v.put("fail_every", failEvery);
        v.put("fail_status", failStatus);
        v.put("token_failures", Map.of("count", tokenFailures, "status", tokenFailStatus));
        v.put("api_failures", Map.of("count", apiFailures, "status", apiFailStatus));
        v.put("rate_limit", Map.of("count", rateLimits, "retry_after", retryAfterSeconds));
        v.put("drop_connection", Map.of("count", drops));
        return v;
    }

    private static Duration nonNegative(Duration d) {
        return d == null || d.isNegative() ? Duration.ZERO : d;
    }

    private static int status(int s) {
        if (s < 100 || s > 599) {
            throw new IllegalArgumentException("status must be 100..599");
        }
        return s;
    }
}
