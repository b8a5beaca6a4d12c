package io.agcgateway.proxy;

import io.agcgateway.catalog.Provider;
import io.agcgateway.catalog.ProviderCatalog;
import io.agcgateway.connections.Connection;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.connections.Refresher;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.http.GatewayException;
import io.agcgateway.http.Json;
import io.agcgateway.integrations.IntegrationStore;
import io.agcgateway.metrics.GatewayMetrics;
import io.agcgateway.refresh.TokenUpdates;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;

/**
 * Access tokens for the proxy, served from memory while fresh (docs/ARCHITECTURE.md "Proxy": no database read per call).
 * An entry lives until the token becomes due for refresh or until {@code maxAge} passes; then the row is read again
 * and, when due, refreshed through the Refresher (direct:refresh-connection: single-flight + DB lease). Refreshes
 * done by anyone in this JVM update the entry through TokenUpdates. A connection deleted, imported or re-authorised on this node is
 * dropped at once (the store's replaced listener): its id may now name another person's account. Other nodes learn
 * of it from the store's change feed, which {@link #syncChanges} reads every {@code gateway.proxy.token-cache-sync}.
 */
public final class TokenCache {
    /** What the proxy needs for one call: the row (ids, config) and the plaintext token. */
    public record Entry(Connection connection, Provider provider, String accessToken, Map<String, Object> config,
                        long validUntil) {
    }

    private final ConnectionStore store;
    private final IntegrationStore integrations;
    private final ProviderCatalog catalog;
    private final TokenCipher cipher;
    private final Refresher refresher;
    private final GatewayMetrics metrics;
    private final Clock clock;
    private static final Logger LOG = LoggerFactory.getLogger(TokenCache.class);
    private static final long SYNC_OVERLAP_MS = 30_000;
    private static final long FEED_RETENTION_MS = 3_600_000;
    private final long maxAgeMs;
    /** Feed rows (seq) of the last window already applied; only the timer route's thread touches it. */
    private volatile Set<Long> applied = Set.of();
    private final long marginMs;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** Bumped by every replacement: a row read before one is used for its call but not cached (it may be the old one). */
    private final AtomicLong replacements = new AtomicLong();

    public TokenCache(ConnectionStore store, IntegrationStore integrations, ProviderCatalog catalog, TokenCipher cipher,
                      Refresher refresher, TokenUpdates updates, GatewayMetrics metrics, Clock clock, Duration maxAge,
                      Duration margin) {
        this.store = store;
        this.integrations = integrations;
        this.catalog = catalog;
        this.cipher = cipher;
        this.refresher = refresher;
        this.metrics = metrics;
        this.clock = clock;
        this.maxAgeMs = maxAge.toMillis();
        this.marginMs = margin.toMillis();
        updates.subscribe(this::refreshed);
        store.onReplaced(this::replaced);
    }

    private static String key(String integrationKey, String connectionId) {
        return integrationKey + '\u0000' + connectionId;
    }

    /** A fresh entry from memory, or null when the row must be read (and maybe refreshed): never blocks. */
    public Entry cached(String integrationKey, String connectionId) {
        Entry e = entries.get(key(integrationKey, connectionId));
        if (e != null && clock.millis() < e.validUntil()) {
            metrics.tokenCache(true);
            return e;
        }
        return null;
    }

    /**
     * @return a usable token for the connection
     * @throws GatewayException 404 unknown_provider_config / unknown_connection, 424 refresh_failed
     */
    public Entry get(String integrationKey, String connectionId) {
        String k = key(integrationKey, connectionId);
        Entry e = entries.get(k);
        long now = clock.millis();
        if (e != null && now < e.validUntil()) {
            metrics.tokenCache(true);
            return e;
        }
        metrics.tokenCache(false);
        long seen = replacements.get();
        Connection c = store.find(integrationKey, connectionId);
        if (c == null) {
            entries.remove(k);
            if (integrations.find(integrationKey) == null) {
                throw GatewayException.notFound("unknown_provider_config",
                        "Provider config not found for the given provider config key. Please make sure the provider config exists.");
            }
            throw GatewayException.notFound("unknown_connection",
                    "No connection matching the provided params of 'connection_id' and 'provider_config_key'.");
        }
        return load(refresher.ensureFresh(c, false), seen);
    }

    /**
     * After an upstream 401. Another node may already hold a newer token: that one is used, no rotation spent.
     * Otherwise one forced refresh — unless the token in hand was issued less than {@code minAgeMs} ago: Atlassian
     * also answers 401 for a missing scope, and refreshing then would spend a rotation of the family on every call.
     *
     * @return the entry to replay with, or null when the 401 should be relayed as it is
     */
    public Entry afterUnauthorized(Entry stale, long minAgeMs) {
        Connection cur = store.findById(stale.connection().id());
        if (cur == null) {
            invalidate(stale.connection().integrationKey(), stale.connection().connectionId());
            throw GatewayException.notFound("unknown_connection", "The connection was deleted.");
        }
        if (cur.version() != stale.connection().version() && cur.accessTokenEnc() != null
                && !cur.accessTokenEnc().equals(stale.connection().accessTokenEnc())) {
            return load(refresher.ensureFresh(cur, false));
        }
        long issuedAt = cur.lastRefreshAt() != null ? cur.lastRefreshAt() : cur.createdAt();
        if (clock.millis() - issuedAt < minAgeMs) {
            return null;
        }
        return load(refresher.ensureFresh(cur, true));
    }

    public void invalidate(String integrationKey, String connectionId) {
        entries.remove(key(integrationKey, connectionId));
    }

    /**
     * Drops the entries of connections replaced on other nodes (routes/token-cache-sync). Each run reads the feed back
     * {@link #SYNC_OVERLAP_MS}, which covers clock skew between nodes and changes committed out of order; a feed row
     * is applied once.
     */
    public void syncChanges() {
        long now = clock.millis();
        try {
            Set<Long> inWindow = new HashSet<>();
            for (ConnectionStore.Replaced r : store.replacedElsewhereSince(now - SYNC_OVERLAP_MS)) {
                inWindow.add(r.seq());
                if (!applied.contains(r.seq())) {
                    replaced(r.integrationId(), r.connectionId());
                }
            }
            applied = inWindow;
            store.purgeReplaced(now - FEED_RETENTION_MS);
        } catch (DataAccessException unavailable) {
            // the store is down: nothing can be replaced meanwhile; entries still end at maxAge
            LOG.debug("token cache sync skipped: {}", unavailable.getClass().getSimpleName());
        }
    }

    private void replaced(long integrationId, String connectionId) {
        replacements.incrementAndGet();
        entries.values().removeIf(e -> e.connection().integrationId() == integrationId
                && e.connection().connectionId().equals(connectionId));
    }

    public int size() {
        return entries.size();
    }

    private void refreshed(Connection c) {
        if (c == null) {
            return;
        }
        String k = key(c.integrationKey(), c.connectionId());
        if (entries.containsKey(k)) {
            try {
                load(c);
            } catch (RuntimeException e) {
                entries.remove(k);
            }
        }
    }

    private Entry load(Connection c) {
        return load(c, replacements.get());
    }

    private Entry load(Connection c, long seen) {
        Provider provider = catalog.get(c.provider());
        if (provider == null) {
            throw new GatewayException(400, "unsupported_provider", "The provider '" + c.provider() + "' of this integration is not in the catalog.");
        }
        if (c.accessTokenEnc() == null) {
            throw new GatewayException(424, "refresh_failed", "The connection has no access token. Re-authorise it.");
        }
        String token = cipher.decrypt(c.accessTokenEnc(), "access_token");
        long now = clock.millis();
        long until = now + maxAgeMs;
        if (c.expiresAt() != null) {
            // past the refresh margin the next call goes through ensureFresh; never serve an expired token from memory
            until = Math.min(until, c.expiresAt() - marginMs);
            if (until <= now) {
                until = Math.min(now + 1000, c.expiresAt());
            }
        }
        Map<String, Object> config = c.connectionConfig() == null || c.connectionConfig().isBlank()
                ? Map.of() : Json.toMap(Json.read(c.connectionConfig()));
        Entry e = new Entry(c, provider, token, config, until);
        entries.put(key(c.integrationKey(), c.connectionId()), e);
        if (replacements.get() != seen) {
            entries.remove(key(c.integrationKey(), c.connectionId()), e);
        }
        return e;
    }
}
