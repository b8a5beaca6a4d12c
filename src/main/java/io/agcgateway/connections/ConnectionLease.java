package io.agcgateway.connections;

import java.util.function.Predicate;

/**
 * Writes a connection's row while holding its refresh lease, after any refresh in flight on any node has finished, so
 * an import replaces the token pair without racing a refresh that is spending the old refresh token. The refresh
 * package implements it (RefreshService), as it owns the lease.
 */
public interface ConnectionLease {
    /**
     * Runs {@code write} (given the lease owner; true when it stored and so released the lease) under the lease, then
     * tells the token caches.
     * @return the row as stored, or null when it was deleted meanwhile
     * @throws io.agcgateway.http.GatewayException 503 connection_busy when the lease could not be had in time or was
     *         lost before the write
     */
    Connection underLease(long connectionRowId, Predicate<String> write);
}
