package io.agcgateway.connections;

import io.agcgateway.http.GatewayException;

/**
 * No usable token could be had for a connection: 424 {@code refresh_failed} for the proxy and the sweep, and the
 * {@link Kind} the connections API needs to answer as Nango does (400 for a refresh that failed, 424 while backing off).
 */
public final class RefreshFailedException extends GatewayException {
    public enum Kind {
        /** The provider refused the refresh token just now (4xx, e.g. invalid_grant). */
        REJECTED,
        /** The token endpoint failed just now (5xx, timeout) and the old access token has expired. */
        UNAVAILABLE,
        /** A rejection recorded earlier: the refresh token is not spent again until the connection is re-authorised. */
        REJECTED_EARLIER,
        /** An earlier transient failure: waiting for the backoff to pass before the next try. */
        BACKING_OFF
    }

    private final Kind kind;
    private final transient Connection connection;

    public RefreshFailedException(Kind kind, Connection connection, String reason) {
        super(424, "refresh_failed", "The token of connection '" + connection.connectionId() + "' could not be refreshed (" + reason
                + "). Re-authorise the connection if this persists.");
        this.kind = kind;
        this.connection = connection;
    }

    public Kind kind() {
        return kind;
    }

    /** The connection as it was when the refresh failed. */
    public Connection connection() {
        return connection;
    }
}
