package io.agcgateway.refresh;

import io.agcgateway.connections.Connection;
import java.time.Duration;

/**
 * Which connections the Quartz sweep refreshes (docs/ARCHITECTURE.md "Tokens and refresh"), as a pure function of the row and the time:
 * <ul>
 * <li>active (used within the active window) and due before the sweep after next: refreshed ahead of time, so a
 *     proxied call never waits on the token endpoint;</li>
 * <li>idle, with a refresh token last issued or spent longer ago than the keep-alive age: refreshed so the
 *     token family never reaches Atlassian's 90-day inactivity expiry;</li>
 * <li>refresh_failed (the provider said no: only re-authorisation helps) and backing off (5xx/timeout; the
 *     backoff time is not over): skipped.</li>
 * </ul>
 * {@code ConnectionStore.sweepCandidates} pre-selects these rows in SQL by index; this function is the authority and
 * re-checks each row it returns.
 */
public final class SweepPolicy {
    private final Duration margin;
    private final Duration lookahead;
    private final Duration activeWindow;
    private final Duration keepAliveAge;

    /**
     * @param margin       a token is due this long before it expires (gateway.refresh.margin)
     * @param lookahead    how far ahead the sweep refreshes active connections: two sweep intervals, because the
     *                     next sweep may itself take a while to reach a connection
     * @param activeWindow used within this long = active (gateway.refresh.active-window)
     * @param keepAliveAge refresh idle connections whose refresh token is older (gateway.refresh.keep-alive-age)
     */
    public SweepPolicy(Duration margin, Duration lookahead, Duration activeWindow, Duration keepAliveAge) {
        this.margin = margin;
        this.lookahead = lookahead;
        this.activeWindow = activeWindow;
        this.keepAliveAge = keepAliveAge;
    }

    public SweepDecision decide(Connection c, long now) {
        if (c.refreshTokenEnc() == null) {
            return SweepDecision.skip("no_refresh_token");
        }
        if (Connection.REFRESH_FAILED.equals(c.refreshState())) {
            return SweepDecision.skip("refresh_failed");
        }
        if (c.nextRefreshAt() != null && c.nextRefreshAt() > now) {
            return SweepDecision.skip("backing_off");
        }
        if (c.leaseUntil() != null && c.leaseUntil() >= now) {
            return SweepDecision.skip("being_refreshed");
        }
        boolean active = c.lastUsedAt() != null && c.lastUsedAt() >= activeSince(now);
        if (active && c.expiresAt() != null && c.expiresAt() < dueBefore(now)) {
            long left = c.expiresAt() - now;
            return SweepDecision.refresh(left <= 0 ? "active_expired" : "active_expires_in_" + left / 60_000 + "m");
        }
        long lastSpent = lastSpent(c);
        if (lastSpent < keepAliveBefore(now)) {
            return SweepDecision.refresh("keep_alive_refresh_token_age_" + (now - lastSpent) / 86_400_000L + "d");
        }
        return SweepDecision.skip(active ? "active_fresh" : "idle_recent");
    }

    /** Active connections expiring before this are refreshed by this sweep. */
    public long dueBefore(long now) {
        return now + margin.toMillis() + lookahead.toMillis();
    }

    public long activeSince(long now) {
        return now - activeWindow.toMillis();
    }

    /** Refresh tokens issued (and not spent) before this are kept alive. */
    public long keepAliveBefore(long now) {
        return now - keepAliveAge.toMillis();
    }

    /**
     * When the refresh token family was last used at the provider. A provider that does not rotate keeps the old
     * token, so last_refresh_at counts too; with neither, the row's creation time (the consent).
     */
    static long lastSpent(Connection c) {
        long t = c.refreshTokenIssuedAt() != null ? c.refreshTokenIssuedAt() : c.createdAt();
        return c.lastRefreshAt() != null ? Math.max(t, c.lastRefreshAt()) : t;
    }

    public Duration lookahead() {
        return lookahead;
    }
}
