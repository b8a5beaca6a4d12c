package io.agcgateway.refresh;

import io.agcgateway.catalog.Provider;
import io.agcgateway.catalog.ProviderCatalog;
import io.agcgateway.connections.Connection;
import io.agcgateway.connections.ConnectionStore;
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
import io.agcgateway.webhooks.AuthEvents;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes a connection's tokens, once per connection at a time across every caller and node (DESIGN §7).
 * Atlassian rotates refresh tokens: spending one twice outside its 10-minute reuse window revokes the whole
 * family, so callers in this JVM share one in-flight future and other nodes wait on the database lease.
 */
public final class RefreshService {
    private static final Logger LOG = LoggerFactory.getLogger(RefreshService.class);

    private final ConnectionStore store;
    private final IntegrationStore integrations;
    private final ProviderCatalog catalog;
    private final TokenCipher cipher;
    private final TokenClient tokens;
    private final OperationLog log;
    private final GatewayMetrics metrics;
    private final RefreshPolicy policy;
    private final Clock clock;
    private final String nodeId;
    private final Duration leaseTime;
    private final Duration waitTime;
    private final AuthEvents events;
    private final Map<Long, CompletableFuture<Connection>> inflight = new ConcurrentHashMap<>();
    private final List<Consumer<Connection>> listeners = new CopyOnWriteArrayList<>();
    private static final ThreadLocal<Boolean> IN_ROUTE = ThreadLocal.withInitial(() -> false);
    private volatile org.apache.camel.ProducerTemplate route;

    public RefreshService(ConnectionStore store, IntegrationStore integrations, ProviderCatalog catalog, TokenCipher cipher,
                          TokenClient tokens, OperationLog log, GatewayMetrics metrics, RefreshPolicy policy, AuthEvents events,
                          Clock clock, String nodeId, Duration leaseTime) {
        this.store = store;
        this.integrations = integrations;
        this.catalog = catalog;
        this.cipher = cipher;
        this.tokens = tokens;
        this.log = log;
        this.metrics = metrics;
        this.policy = policy;
        this.events = events;
        this.clock = clock;
        this.nodeId = nodeId;
        this.leaseTime = leaseTime;
        this.waitTime = leaseTime.plusSeconds(5);
    }

    /**
     * From now on every refresh that is due goes through direct:refresh-connection (DESIGN §1: one refresh route
     * shared by the proxy, the API and the sweep), so it is visible, measured and replaceable as a route.
     */
    public void useRoute(org.apache.camel.ProducerTemplate template) {
        this.route = template;
    }

    /** Entry used by the refresh-connection route itself. */
    public Connection ensureFreshInRoute(Connection c, boolean force) {
        boolean outer = IN_ROUTE.get();
        IN_ROUTE.set(true);
        try {
            return ensureFresh(c, force);
        } finally {
            IN_ROUTE.set(outer);
        }
    }

    private Connection viaRoute(Connection c, boolean force) {
        org.apache.camel.Exchange ex = route.send("direct:refresh-connection", e -> {
            e.getMessage().setBody(c);
            e.setProperty(RefreshConnection.FORCE, force);
        });
        Exception failure = ex.getException();
        if (failure != null) {
            GatewayException ge = io.agcgateway.http.HttpReply.unwrap(failure);
            if (ge != null) {
                throw ge;
            }
            throw failure instanceof RuntimeException re ? re : new IllegalStateException(failure);
        }
        return ex.getMessage().getBody(Connection.class);
    }

    /** Called with the stored row after every refresh this node completes (token caches listen). */
    public void addListener(Consumer<Connection> listener) {
        listeners.add(listener);
    }

    public RefreshPolicy policy() {
        return policy;
    }

    public String nodeId() {
        return nodeId;
    }

    /**
     * @return a connection whose access token is usable: the same row when it is fresh, else the refreshed row
     * @throws RefreshFailedException (424 refresh_failed) when no usable token can be had
     */
    public Connection ensureFresh(Connection c, boolean force) {
        long now = clock.millis();
        RefreshDecision d = policy.decide(c, force, now);
        switch (d.action()) {
            case FRESH:
                return c;
            case FAILED:
            case BACKING_OFF:
                if (RefreshPolicy.usable(c, now)) {
                    return c;
                }
                throw refreshFailed(c, d);
            default:
                break;
        }
        if (route != null && !IN_ROUTE.get()) {
            return viaRoute(c, force);
        }
        CompletableFuture<Connection> mine = new CompletableFuture<>();
        CompletableFuture<Connection> running = inflight.putIfAbsent(c.id(), mine);
        if (running != null) {
            return await(running, c);
        }
        try {
            Connection result = refreshUnderLease(c, force);
            mine.complete(result);
            return result;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inflight.remove(c.id(), mine);
        }
    }

    private Connection await(CompletableFuture<Connection> running, Connection c) {
        try {
            return running.get(waitTime.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new GatewayException(424, "refresh_failed", "Timed out waiting for the token refresh of this connection.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException(424, "refresh_failed", "Interrupted while waiting for the token refresh.");
        }
    }

    private Connection refreshUnderLease(Connection seen, boolean force) {
        long deadline = clock.millis() + waitTime.toMillis();
        while (true) {
            long now = clock.millis();
            if (store.tryLease(seen.id(), nodeId, now, now + leaseTime.toMillis())) {
                return refreshHoldingLease(seen, force);
            }
            // Another node holds the lease: wait for its result in the row instead of spending the token again.
            sleep(100);
            Connection cur = store.findById(seen.id());
            if (cur == null) {
                throw GatewayException.notFound("unknown_connection", "The connection was deleted.");
            }
            if (cur.version() != seen.version()) {
                RefreshDecision d = policy.decide(cur, false, clock.millis());
                if (d.action() == RefreshDecision.Action.FRESH || RefreshPolicy.usable(cur, clock.millis()) && !d.isDue()) {
                    notifyListeners(cur);
                    return cur;
                }
                if (d.action() == RefreshDecision.Action.FAILED || d.action() == RefreshDecision.Action.BACKING_OFF) {
                    throw refreshFailed(cur, d);
                }
                seen = cur;
                force = false;
            }
            if (clock.millis() > deadline) {
                throw new GatewayException(424, "refresh_failed", "Another gateway node is refreshing this connection and did not finish in time.");
            }
        }
    }

    private Connection refreshHoldingLease(Connection seen, boolean force) {
        long started = clock.millis();
        boolean leaseHeld = true;
        try {
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
            long now = clock.millis();
            if (res.ok()) {
                FaultPoints.crashIfArmed("after-token-response");
                boolean rotated = res.refreshToken() != null;
                long expiresIn = res.expiresIn() != null ? res.expiresIn() : provider.tokenExpiresInDefault();
                boolean stored = store.storeRefreshed(cur.id(), nodeId,
                        cipher.encrypt(res.accessToken(), "access_token"),
                        rotated ? cipher.encrypt(res.refreshToken(), "refresh_token") : cur.refreshTokenEnc(),
                        rotated, cipher.encrypt(Json.write(res.raw()), "raw"), now + expiresIn * 1000, now);
                leaseHeld = false;
                if (!stored) {
                    LOG.warn("refresh lease lost before storing; connection={} integration={} reason=lease_expired", cur.connectionId(), cur.integrationKey());
                }
                Connection after = store.findById(cur.id());
                metrics.refresh("ok", cur.integrationKey());
                log.submit(Operation.success("refresh", "token_refresh", cur.integrationKey(), cur.connectionId(),
                        "Token refreshed (" + (rotated ? "refresh token rotated" : "refresh token kept") + ")", started, now,
                        meta(force, res, "ok")));
                if (!Connection.OK.equals(cur.refreshState()) && after != null) {
                    events.refreshRecovered(after);
                }
                if (after != null) {
                    notifyListeners(after);
                }
                return after;
            }
            if (res.kind() == TokenResponse.Kind.REJECTED) {
                String errors = Json.write(List.of(errorEntry("auth", res.error(), res.errorDescription(), now)));
                store.storeRefreshFailure(cur.id(), nodeId, Connection.REFRESH_FAILED, errors, cur.refreshFailures() + 1, null, now);
                leaseHeld = false;
                metrics.refresh("rejected", cur.integrationKey());
                LOG.warn("refresh rejected by provider; connection={} integration={} reason={}", cur.connectionId(), cur.integrationKey(), res.reason());
                log.submit(Operation.failed("refresh", "token_refresh", cur.integrationKey(), cur.connectionId(),
                        "The provider rejected the refresh token: re-authorise the connection", res.error(), started, now,
                        meta(force, res, "rejected")));
                events.refreshFailed(cur, "refresh_token_external_error", describe(res));
                Connection after = store.findById(cur.id());
                notifyListeners(after == null ? cur : after);
                throw new RefreshFailedException(RefreshFailedException.Kind.REJECTED, after == null ? cur : after, res.reason());
            }
            int failures = cur.refreshFailures() + 1;
            long next = now + RefreshPolicy.backoff(failures).toMillis();
            String errors = Json.write(List.of(errorEntry("auth", res.error(), res.errorDescription(), now)));
            store.storeRefreshFailure(cur.id(), nodeId, Connection.REFRESH_RETRYING, errors, failures, next, now);
            leaseHeld = false;
            metrics.refresh("unavailable", cur.integrationKey());
            LOG.warn("refresh failed transiently; connection={} integration={} reason={} retry_in={}s", cur.connectionId(),
                    cur.integrationKey(), res.reason(), (next - now) / 1000);
            log.submit(Operation.failed("refresh", "token_refresh", cur.integrationKey(), cur.connectionId(),
                    "The token endpoint is unavailable; tokens kept, retrying in " + (next - now) / 1000 + " s", res.error(),
                    started, now, meta(force, res, "unavailable")));
            if (failures == 1) {
                events.refreshFailed(cur, "refresh_token_external_error", describe(res));
            }
            Connection after = store.findById(cur.id());
            if (after != null) {
                notifyListeners(after);
                if (RefreshPolicy.usable(after, now)) {
                    return after; // the old access token still works: keep serving it
                }
            }
            throw new RefreshFailedException(RefreshFailedException.Kind.UNAVAILABLE, after == null ? cur : after, res.reason());
        } finally {
            if (leaseHeld) {
                store.releaseLease(seen.id(), nodeId);
            }
        }
    }

    /**
     * Runs {@code write} (given the lease owner; true when it stored and so released the lease) while holding the
     * connection's refresh lease, after any refresh in flight on any node has finished, then tells the token caches.
     * This is how an import replaces a pair without racing a refresh that is spending the old refresh token.
     * @return the row as stored, or null when it was deleted meanwhile
     * @throws GatewayException 503 connection_busy when the lease could not be had in time or was lost before the write
     */
    public Connection underLease(long connectionRowId, java.util.function.Predicate<String> write) {
        String owner = nodeId + ":write";
        long deadline = clock.millis() + waitTime.toMillis();
        while (!store.tryLease(connectionRowId, owner, clock.millis(), clock.millis() + leaseTime.toMillis())) {
            if (clock.millis() > deadline) {
                throw new GatewayException(503, "connection_busy", "A token refresh of this connection is still running; try again.")
                        .retryAfter(1);
            }
            sleep(100);
        }
        boolean stored = false;
        try {
            stored = write.test(owner);
        } finally {
            if (!stored) {
                store.releaseLease(connectionRowId, owner);
            }
        }
        if (!stored) {
            throw new GatewayException(503, "connection_busy", "The connection changed while it was being written; try again.")
                    .retryAfter(1);
        }
        Connection after = store.findById(connectionRowId);
        if (after != null) {
            notifyListeners(after);
        }
        return after;
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

    static Map<String, Object> errorEntry(String type, String code, String description, long at) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("type", type);
        e.put("code", code);
        e.put("message", description);
        e.put("at", java.time.Instant.ofEpochMilli(at).toString());
        return e;
    }

    /** A refresh not attempted because of an earlier failure (the decision says which). */
    private static RefreshFailedException refreshFailed(Connection c, RefreshDecision d) {
        return new RefreshFailedException(d.action() == RefreshDecision.Action.FAILED ? RefreshFailedException.Kind.REJECTED_EARLIER
                : RefreshFailedException.Kind.BACKING_OFF, c, d.reason());
    }

    private void notifyListeners(Connection c) {
        for (Consumer<Connection> l : listeners) {
            try {
                l.accept(c);
            } catch (RuntimeException e) {
                LOG.warn("refresh listener failed: {}", e.getClass().getSimpleName());
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException(424, "refresh_failed", "Interrupted while waiting for the token refresh.");
        }
    }
}
