package io.agcgateway.support;

import com.sun.net.httpserver.HttpServer;
import io.agcgateway.config.GatewaySettings;
import io.agcgateway.http.HttpReply;
import io.agcgateway.http.OutboundCall;
import io.agcgateway.http.OutboundHttpConfigurer;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.main.Main;

/**
 * The outbound camel-http route files (token-endpoint, accessible-resources) running alone in a plain camel-main, with
 * the gateway's settings as properties: the beans that call them are tested against the real routes and real HTTP.
 */
public final class OutboundRoutes implements AutoCloseable {
    private final Main main = new Main();
    public final OutboundCall call;

    public OutboundRoutes(Map<String, String> overrides, String... routeFiles) {
        Properties p = new Properties();
        GatewaySettings.load(overrides).all().forEach((k, v) -> {
            if (k.startsWith("gateway.")) {
                p.put(k, v);
            }
        });
        StringBuilder include = new StringBuilder("file:routes/errors.camel.yaml");
        for (String f : routeFiles) {
            include.append(",file:routes/").append(f);
        }
        p.put("camel.main.routes-include-pattern", include.toString());
        p.put("camel.main.jmx-enabled", "false");
        main.setDefaultPropertyPlaceholderLocation("false");
        main.setOverrideProperties(p);
        main.bind("httpReply", new HttpReply());
        main.bind("outboundHttpConfigurer", new OutboundHttpConfigurer());
        main.start();
        call = new OutboundCall(main::getCamelContext);
    }

    /** A path of a test server that answers only after {@code millis}, to outlast a route's timeout. */
    public static void slow(HttpServer server, String path, long millis) {
        server.createContext(path, x -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            x.sendResponseHeaders(200, -1);
            x.close();
        });
    }

    /** A path of a test server that redirects elsewhere (a route must not follow it). */
    public static void redirect(HttpServer server, String path, int status, String location) {
        server.createContext(path, x -> {
            x.getResponseHeaders().add("Location", location);
            x.sendResponseHeaders(status, -1);
            x.close();
        });
    }

    @Override
    public void close() {
        main.stop();
    }
}
