package io.agcgateway.support;

import io.agcgateway.Gateway;
import io.agcgateway.config.StartupException;
import io.agcgateway.connections.Connection;
import java.util.Map;
import org.apache.camel.builder.RouteBuilder;

/**
 * A gateway process for cluster tests (started by ClusterProcess with GATEWAY_* env vars), plus one test-only
 * endpoint, POST /_test/refresh/{rowId}, that sends the row id through direct:refresh-connection: the same route
 * the proxy and the connections API use, so concurrent calls exercise single-flight and the database lease.
 */
public final class ClusterNode {
    private ClusterNode() {
    }

    public static void main(String[] args) throws Exception {
        Gateway gw;
        try {
            gw = Gateway.start(Map.of());
        } catch (StartupException e) {
            System.err.println("agc-gateway: cannot start: " + e.getMessage());
            System.exit(2);
            return;
        }
        gw.context().addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("platform-http:/_test/refresh/{id}?httpMethodRestrict=POST").routeId("test-refresh")
                        .process(ex -> {
                            String id = ex.getMessage().getHeader("id", String.class);
                            ex.getMessage().removeHeaders("*");
                            ex.getMessage().setBody(Long.parseLong(id));
                        })
                        .to("direct:refresh-connection")
                        .process(ex -> {
                            Connection c = ex.getMessage().getBody(Connection.class);
                            ex.getMessage().setBody("{\"version\":" + c.version() + ",\"refresh_state\":\"" + c.refreshState() + "\"}");
                            ex.getMessage().setHeader("Content-Type", "application/json");
                        });
            }
        });
        System.out.println("NODE-READY " + gw.port() + " " + ProcessHandle.current().pid());
        Runtime.getRuntime().addShutdownHook(new Thread(gw::close));
        Thread.currentThread().join();
    }
}
