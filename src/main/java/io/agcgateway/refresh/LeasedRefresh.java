package io.agcgateway.refresh;

import io.agcgateway.catalog.Provider;
import io.agcgateway.catalog.ProviderCatalog;
import io.agcgateway.connections.AuthEvents;
import io.agcgateway.connections.Connection;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.connections.RefreshFailedException;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.http.GatewayException;
import io.agcgateway.http.Json;
import io.agcgateway.integrations.Integration;
import io.agcgateway.integrations.IntegrationStore;
import io.agcgateway.logs.Operation;
import io.agcgateway.logs.OperationLog;
import io.agcgateway.metrics.GatewayMetrics;
import io.agcgateway.oauth.TokenClient;
import io.agcgateway.oauth.TokenResponse;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One refresh while this node holds the connection's lease (RefreshService takes it): one call to the token endpoint,
 * then one of three outcomes stored, each releasing the lease in its write (docs/ARCHITECTURE.md "Tokens and refresh").
 */
public final class LeasedRefresh {
    private static final Logger LOG = LoggerFactory.getLogger(LeasedRefresh.class);

    private final ConnectionStore store;
    private final IntegrationStore integrations;
    private final ProviderCatalog catalog;
    private final TokenCipher cipher;
    private final TokenClient tokens;
    private final OperationLog log;
    private final GatewayMetrics metrics;
    private final RefreshPolicy policy;
    private final AuthEvents events;
    private final TokenUpdates updates;
    private final Clock clock;
    private final String nodeId;

    public LeasedRefresh(ConnectionStore store, IntegrationStore integrations, ProviderCatalog catalog, TokenCipher cipher, TokenClient tokens,
                         OperationLog log, GatewayMetrics metrics, RefreshPolicy policy, AuthEvents events, TokenUpdates updates,
                         Clock clock, String nodeId) {
        this.store = store;
        this.integrations = integrations;
        this.catalog = catalog;
        this.cipher = cipher;
        this.tokens = tokens;
        this.log = log;
        this.metrics = metrics;
        this.policy = policy;
        this.events = events;
        this.updates = updates;
        this.clock = clock;
        this.nodeId = nodeId;
    }

    /** The lease owner this node writes as. */
    String nodeId() {
        return nodeId;
    }

    /** One call to the token endpoint and what it answered; the outcome methods below store it. */
    private record Attempt(Connection cur, Provider provider, TokenResponse res, boolean force, long started, long now) {
    }

    /** The lease this node holds on a connection: released by the outcome's store write, else on close. */
    private final class Lease implements AutoCloseable {
        private final long connectionRowId;
        private boolean held = true;

        Lease(long connectionRowId) {
            this.connectionRowId = connectionRowId;
        }

        void releasedByWrite() {
            held = false;
        }

        @Override
        public void close() {
            if (held) {
                store.releaseLease(connectionRowId, nodeId);
            }
        }
    }

    /**
     * The refresh itself, for a caller that holds the connection's lease (as {@code nodeId}): re-read the row, call the
     * token endpoint once, store the outcome (which releases the lease).
     * @param seen the row as the caller decided on it; a newer version someone else refreshed meanwhile is used instead
     */
    Connection run(Connection seen, boolean force) {
        long started = clock.millis();
        try (Lease lease = new Lease(seen.id())) {
            Connection cur = store.findById(seen.id());
            if (cur == null) {
                throw GatewayException.notFound("unknown_connection", "The connection was deleted.");
            }
            // Double-checked: someone refreshed between our decision and the lease; use theirs.
            if (cur.version() != seen.version() && !policy.decide(cur, false, started).isDue() && RefreshPolicy.usable(cur, started)) {
                return cur;
            }
            Integration integration = integrations.findById(cur.integrationId());
            Provider provider = integration == null ? null : catalog.get(integration.provider());
            if (provider == null || integration.clientId() == null || integration.clientSecretEnc() == null) {
                throw new GatewayException(424, "refresh_failed", "The integration of this connection has no usable OAuth app (client id/secret).");
            }
            TokenResponse res = tokens.refresh(provider, integration.clientId(), cipher.decrypt(integration.clientSecretEnc(), "client_secret"),
                    cipher.decrypt(cur.refreshTokenEnc(), "refresh_token"));
            Attempt attempt = new Attempt(cur, provider, res, force, started, clock.millis());
            if (res.ok()) {
                return refreshed(attempt, lease);
            }
            if (res.kind() == TokenResponse.Kind.REJECTED) {
                throw rejected(attempt, lease);
            }
            return unavailable(attempt, lease);
        }
    }

    /** New tokens: stored with the old refresh token when the answer has none (RFC 6749 §6: the server may keep it). */
    private Connection refreshed(Attempt a, Lease lease) {
        FaultPoints.crashIfArmed("after-token-response");
        Connection cur = a.cur();
        TokenResponse res = a.res();
        boolean rotated = res.refreshToken() != null;
        long expiresIn = res.expiresIn() != null ? res.expiresIn() : a.provider().tokenExpiresInDefault();
        boolean stored = store.storeRefreshed(cur.id(), nodeId,
                cipher.encrypt(res.accessToken(), "access_token"),
                rotated ? cipher.encrypt(res.refreshToken(), "refresh_token") : cur.refreshTokenEnc(),
                rotated, cipher.encrypt(Json.write(res.raw()), "raw"), a.now() + expiresIn * 1000, a.now());
        lease.releasedByWrite();
        if (!stored) {
            LOG.warn("refresh lease lost before storing; connection={} integration={} reason=lease_expired", cur.connectionId(), cur.integrationKey());
        }
        Connection after = store.findById(cur.id());
        metrics.refresh("ok", cur.integrationKey());
        log.submit(Operation.success("refresh", "token_refresh", cur.integrationKey(), cur.connectionId(),
                "Token refreshed (" + (rotated ? "refresh token rotated" : "refresh token kept") + ")", a.started(), a.now(),
                meta(a.force(), res, "ok")));
        if (!Connection.OK.equals(cur.refreshState()) && after != null) {
            events.refreshRecovered(after);
        }
        if (after != null) {
            updates.publish(after);
        }
        return after;
    }

    /** The provider refused the refresh token (4xx): the connection is failed until re-authorised, nothing retries it. */
    private RefreshFailedException rejected(Attempt a, Lease lease) {
        Connection cur = a.cur();
        TokenResponse res = a.res();
        String errors = Json.write(List.of(errorEntry("auth", res.error(), res.errorDescription(), a.now())));
        store.storeRefreshFailure(cur.id(), nodeId, Connection.REFRESH_FAILED, errors, cur.refreshFailures() + 1, null, a.now());
        lease.releasedByWrite();
        metrics.refresh("rejected", cur.integrationKey());
        LOG.warn("refresh rejected by provider; connection={} integration={} reason={}", cur.connectionId(), cur.integrationKey(), res.reason());
        log.submit(Operation.failed("refresh", "token_refresh", cur.integrationKey(), cur.connectionId(),
                "The provider rejected the refresh token: re-authorise the connection", res.error(), a.started(), a.now(),
                meta(a.force(), res, "rejected")));
        events.refreshFailed(cur, "refresh_token_external_error", describe(res));
        Connection after = store.findById(cur.id());
        updates.publish(after == null ? cur : after);
        return new RefreshFailedException(RefreshFailedException.Kind.REJECTED, after == null ? cur : after, res.reason());
    }

    /**
     * The token endpoint failed (5xx, timeout, network): tokens kept, the next try after a doubling backoff; the old
     * access token is served while it works.
     */
    private Connection unavailable(Attempt a, Lease lease) {
        Connection cur = a.cur();
        TokenResponse res = a.res();
        long now = a.now();
        int failures = cur.refreshFailures() + 1;
        long next = now + RefreshPolicy.backoff(failures).toMillis();
        String errors = Json.write(List.of(errorEntry("auth", res.error(), res.errorDescription(), now)));
        store.storeRefreshFailure(cur.id(), nodeId, Connection.REFRESH_RETRYING, errors, failures, next, now);
        lease.releasedByWrite();
        metrics.refresh("unavailable", cur.integrationKey());
        LOG.warn("refresh failed transiently; connection={} integration={} reason={} retry_in={}s", cur.connectionId(),
                cur.integrationKey(), res.reason(), (next - now) / 1000);
        log.submit(Operation.failed("refresh", "token_refresh", cur.integrationKey(), cur.connectionId(),
                "The token endpoint is unavailable; tokens kept, retrying in " + (next - now) / 1000 + " s", res.error(),
                a.started(), now, meta(a.force(), res, "unavailable")));
        if (failures == 1) {
            events.refreshFailed(cur, "refresh_token_external_error", describe(res));
        }
        Connection after = store.findById(cur.id());
        if (after != null) {
            updates.publish(after);
            if (RefreshPolicy.usable(after, now)) {
                return after; // the old access token still works: keep serving it
            }
        }
        throw new RefreshFailedException(RefreshFailedException.Kind.UNAVAILABLE, after == null ? cur : after, res.reason());
    }

    private static String describe(TokenResponse res) {
        return "The external API returned an error when trying to refresh the access token: " + res.reason();
    }

    private static Map<String, Object> meta(boolean force, TokenResponse res, String outcome) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("forced", force);
        m.put("outcome", outcome);
        m.put("provider_status", res.httpStatus());
        if (res.error() != null) {
            m.put("provider_error", res.error());
        }
        return m;
    }

    private static Map<String, Object> errorEntry(String type, String code, String description, long at) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("type", type);
        e.put("code", code);
        e.put("message", description);
        e.put("at", io.agcgateway.http.Json.timestamp(at));
        return e;
    }
}
