package io.agcgateway.refresh;

import io.agcgateway.connections.Connection;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.http.GatewayException;
import org.apache.camel.Exchange;

/**
 * The bean behind direct:refresh-connection, the one refresh entry shared by the sweep, the proxy and the API:
 * body = a Connection or its row id; exchange property {@value #FORCE} = true refreshes even a fresh token.
 * Answers the usable row as the body; failures are RefreshService's GatewayExceptions (424 refresh_failed, 404).
 */
public final class RefreshConnection {
    public static final String FORCE = io.agcgateway.connections.Refresher.FORCE;

    private final ConnectionStore store;
    private final RefreshService refresh;

    public RefreshConnection(ConnectionStore store, RefreshService refresh) {
        this.store = store;
        this.refresh = refresh;
    }

    public Connection refresh(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        Connection c;
        if (body instanceof Connection given) {
            c = given;
        } else {
            long id = rowId(body);
            c = store.findById(id);
            if (c == null) {
                throw GatewayException.notFound("unknown_connection", "No connection with row id " + id + ".");
            }
        }
        boolean force = Boolean.TRUE.equals(exchange.getProperty(FORCE, Boolean.class));
        return refresh.ensureFresh(c, force);
    }

    private static long rowId(Object body) {
        if (body instanceof Number n) {
            return n.longValue();
        }
        if (body instanceof String s && s.matches("\\d{1,18}")) {
            return Long.parseLong(s);
        }
        throw new GatewayException(400, "invalid_connection_ref", "direct:refresh-connection needs a Connection or a row id as the body.");
    }
}
