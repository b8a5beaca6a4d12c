package io.agcgateway.proxy;

import io.agcgateway.catalog.RetryHeaders;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * When to retry a proxied call and how long to wait (docs/ARCHITECTURE.md "Proxy", Nango's retryFlexible): 429, 5xx, network
 * errors and the statuses in Retry-On; waits from Retry-After and the provider's proxy.retry headers (the longest,
 * as Nango: {@code at} a reset time, x-ratelimit-reset for AGC; {@code after} seconds), else exponential backoff with
 * jitter; never past the total cap.
 */
public final class RetryPolicy {
    private final long baseMs;
    private final long maxTotalMs;

    public RetryPolicy(long baseMs, long maxTotalMs) {
        this.baseMs = baseMs;
        this.maxTotalMs = maxTotalMs;
    }

    public long maxTotalMs() {
        return maxTotalMs;
    }

    public static boolean retryable(int status, Set<Integer> retryOn) {
        return status == 429 || status >= 500 || retryOn.contains(status);
    }

    /**
     * @param attempt  1 for the first retry
     * @param header   response header lookup (case-insensitive), null for network errors
     * @param waited   ms already spent waiting in this call
     * @return ms to wait, or -1 when the cap would be exceeded (relay the answer instead)
     */
    public long waitMs(int attempt, Function<String, String> header, RetryHeaders provider, long waited, long now) {
        long wait = -1;
        if (header != null) {
            wait = fromRetryAfter(header.apply("Retry-After"), now);
            for (String h : provider.at()) {
                wait = Math.max(wait, fromResetAt(header.apply(h), now));
            }
            for (String h : provider.after()) {
                wait = Math.max(wait, fromRetryAfter(header.apply(h), now));
            }
        }
        if (wait < 0) {
            long exp = baseMs * (1L << Math.min(attempt - 1, 16));
            // jitter in [exp/2, exp]: spreads the retries of many callers hit by the same outage
            wait = exp / 2 + ThreadLocalRandom.current().nextLong(exp / 2 + 1);
        }
        return waited + wait > maxTotalMs ? -1 : wait;
    }

    /** Retry-After: delta seconds or an HTTP-date (RFC 9110 §10.2.3). */
    static long fromRetryAfter(String v, long now) {
        if (v == null || v.isBlank()) {
            return -1;
        }
        v = v.trim();
        try {
            return Math.max(0, Long.parseLong(v) * 1000);
        } catch (NumberFormatException e) {
            try {
                return Math.max(0, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli() - now);
            } catch (DateTimeParseException e2) {
                return -1;
            }
        }
    }

    /** A reset time: epoch seconds or millis (millis when it is after 1971 read as millis, as Nango does) or an ISO-8601 instant. */
    static long fromResetAt(String v, long now) {
        if (v == null || v.isBlank()) {
            return -1;
        }
        v = v.trim();
        long at;
        try {
            long n = Long.parseLong(v);
            at = n > 31_536_000_000L ? n : n * 1000;
        } catch (NumberFormatException e) {
            try {
                at = Instant.parse(v).toEpochMilli();
            } catch (DateTimeParseException e2) {
                try {
                    at = ZonedDateTime.parse(v, DateTimeFormatter.ISO_DATE_TIME).toInstant().toEpochMilli();
                } catch (DateTimeParseException e3) {
                    return -1;
                }
            }
        }
        long d = at - now;
        return d < 0 ? -1 : d;
    }
}
