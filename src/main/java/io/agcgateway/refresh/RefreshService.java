package io.agcgateway.refresh;

import io.agcgateway.connections.Connection;
import io.agcgateway.connections.ConnectionLease;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.connections.RefreshFailedException;
import io.agcgateway.http.GatewayException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Refreshes a connection's tokens, once per connection at a time across every caller and node (docs/ARCHITECTURE.md "Tokens and refresh").
 * Atlassian rotates refresh tokens: spending one twice outside its 10-minute reuse window revokes the whole
 * family, so callers in this JVM share one in-flight future and other nodes wait on the database lease. This class
 * decides and takes the lease; LeasedRefresh calls the token endpoint and stores the outcome.
 */
public final class RefreshService implements ConnectionLease {
    private final ConnectionStore store;
    private final LeasedRefresh leased;
    private final RefreshPolicy policy;
    private final TokenUpdates updates;
    private final Clock clock;
    private final String nodeId;
    private final Duration leaseTime;
    private final Duration waitTime;
    private final Map<Long, CompletableFuture<Connection>> inflight = new ConcurrentHashMap<>();

    /** @param leased the refresh once the lease is held; its node id is the owner this service takes leases as */
    public RefreshService(ConnectionStore store, LeasedRefresh leased, RefreshPolicy policy, TokenUpdates updates, Clock clock,
                          Duration leaseTime) {
        this.store = store;
        this.leased = leased;
        this.policy = policy;
        this.updates = updates;
        this.clock = clock;
        this.nodeId = leased.nodeId();
        this.leaseTime = leaseTime;
        this.waitTime = leaseTime.plusSeconds(5);
    }

    public RefreshPolicy policy() {
        return policy;
    }

    public String nodeId() {
        return nodeId;
    }

    /**
     * The row itself when no refresh is to be attempted: its token is fresh, or a refresh is barred (rejected
     * earlier, backing off) while the token still works. Null when a refresh is due.
     * @throws RefreshFailedException when a refresh is barred and the token no longer works
     */
    public Connection withoutRefresh(Connection c, boolean force) {
        long now = clock.millis();
        RefreshDecision d = policy.decide(c, force, now);
        return switch (d.action()) {
            case FRESH -> c;
            case FAILED, BACKING_OFF -> {
                if (RefreshPolicy.usable(c, now)) {
                    yield c;
                }
                throw refreshFailed(c, d);
            }
            default -> null;
        };
    }

    /**
     * The refresh itself, for the bean of direct:refresh-connection (callers go through the route, see RouteRefresher).
     * @return a connection whose access token is usable: the same row when it is fresh, else the refreshed row
     * @throws RefreshFailedException (424 refresh_failed) when no usable token can be had
     */
    public Connection ensureFresh(Connection c, boolean force) {
        Connection served = withoutRefresh(c, force);
        if (served != null) {
            return served;
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
                return leased.run(seen, force);
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
                    updates.publish(cur);
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

    /** Takes the lease as this node's writer ({@code nodeId:write}), waiting out a refresh in flight. */
    @Override
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
            updates.publish(after);
        }
        return after;
    }

    /** A refresh not attempted because of an earlier failure (the decision says which). */
    private static RefreshFailedException refreshFailed(Connection c, RefreshDecision d) {
        return new RefreshFailedException(d.action() == RefreshDecision.Action.FAILED ? RefreshFailedException.Kind.REJECTED_EARLIER
                : RefreshFailedException.Kind.BACKING_OFF, c, d.reason());
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
