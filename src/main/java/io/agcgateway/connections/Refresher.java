package io.agcgateway.connections;

/**
 * What the proxy's token cache and GET /connections/{id} need of the refresh path: a connection whose access token can
 * be used now. Declared here so neither depends on the refresh package, which implements it (RouteRefresher).
 */
public interface Refresher {
    /**
     * @param force refresh even a fresh token (the provider answered 401 to it)
     * @return the same row when its token is fresh, else the refreshed row
     * @throws RefreshFailedException (424 refresh_failed) when no usable token can be had
     */
    Connection ensureFresh(Connection c, boolean force);
}
