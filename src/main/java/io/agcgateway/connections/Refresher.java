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

    /**
     * The decision without the refresh, for a route that sends to direct:refresh-connection itself (GET
     * /connections/{id}).
     * @return the row to serve as it is, or null when it needs the refresh route
     * @throws RefreshFailedException when its last refresh failed and its token is no longer usable
     */
    Connection withoutRefresh(Connection c, boolean force);

    /** Exchange property the refresh route reads: true refreshes even a fresh token. */
    String FORCE = "gateway.refresh.force";
}
