package io.agcgateway.refresh;

import io.agcgateway.connections.Connection;
import java.time.Duration;

/**
 * The refresh rules of docs/ARCHITECTURE.md "Tokens and refresh" as pure functions (the google-oauth-java-client Credential rules):
 * due when the token expires within the margin; a provider 4xx stops refreshing until re-authorisation;
 * a 5xx/timeout backs off from 30 s, doubling, capped at one hour.
 */
public final class RefreshPolicy {
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(30);
    static final Duration MAX_BACKOFF = Duration.ofHours(1);

    private final Duration margin;

    public RefreshPolicy(Duration margin) {
        this.margin = margin;
    }

    public Duration margin() {
        return margin;
    }

    public RefreshDecision decide(Connection c, boolean force, long now) {
        if (c.refreshTokenEnc() == null) {
            return RefreshDecision.fresh("no_refresh_token");
        }
        if (force) {
            return RefreshDecision.due("forced");
        }
        if (Connection.REFRESH_FAILED.equals(c.refreshState())) {
            return RefreshDecision.failed("refresh_failed_reauthorize");
        }
        if (Connection.REFRESH_RETRYING.equals(c.refreshState()) && c.nextRefreshAt() != null && c.nextRefreshAt() > now) {
            return RefreshDecision.backingOff("retry_in_" + Math.max(1, (c.nextRefreshAt() - now) / 1000) + "s");
        }
        if (c.expiresAt() == null) {
            return RefreshDecision.fresh("no_expires_at");
        }
        long left = c.expiresAt() - now;
        if (left <= 0) {
            return RefreshDecision.due("expired");
        }
        if (left <= margin.toMillis()) {
            return RefreshDecision.due("expires_in_" + left / 60_000 + "m");
        }
        return RefreshDecision.fresh("expires_in_" + left / 60_000 + "m");
    }

    /** Delay before the n-th consecutive transient failure is retried (n starts at 1). */
    public static Duration backoff(int failures) {
        int n = Math.max(1, Math.min(failures, 20));
        Duration d = FIRST_BACKOFF.multipliedBy(1L << (n - 1));
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    public static boolean usable(Connection c, long now) {
        return c.accessTokenEnc() != null && (c.expiresAt() == null || c.expiresAt() > now);
    }
}
