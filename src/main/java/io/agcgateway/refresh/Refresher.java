package io.agcgateway.refresh;

import io.agcgateway.connections.Connection;

/** What the proxy's token cache needs of the refresh path: a connection whose access token can be used now. */
public interface Refresher {
    /**
     * @param force refresh even a fresh token (the provider answered 401 to it)
     * @return the same row when its token is fresh, else the refreshed row
     * @throws RefreshFailedException (424 refresh_failed) when no usable token can be had
     */
    Connection ensureFresh(Connection c, boolean force);
}
