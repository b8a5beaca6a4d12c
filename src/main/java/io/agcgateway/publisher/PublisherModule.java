package io.agcgateway.publisher;

import io.agcgateway.config.GatewaySettings;
import io.agcgateway.metrics.GatewayMetrics;
import java.time.Duration;
import javax.sql.DataSource;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

/**
 * Binds {@code authPublisher} (used by the beans of routes oauth-connect and oauth-callback), adds the WebSocket
 * upgrade to the platform-http router once Camel has started it, and with gateway.cluster=true the PostgreSQL relay
 * (started and stopped with the Camel context).
 */
public final class PublisherModule {
    private PublisherModule() {
    }

    public static void install(Main main, GatewaySettings settings, DataSource ds) {
        GatewayMetrics metrics = main.lookup("gatewayMetrics", GatewayMetrics.class);
        WebSocketRegistry sockets = new WebSocketRegistry(metrics, settings.duration("gateway.websockets.ping-interval"),
                settings.duration("gateway.websockets.max-lifetime"));
        PgNotifyRelay relay = settings.cluster()
                ? new PgNotifyRelay(ds, settings.dbUrl(), settings.raw("gateway.db.user"), settings.raw("gateway.db.password"),
                        sockets, metrics, Duration.ofSeconds(1))
                : null;
        main.bind("authPublisher", new Publisher(sockets, relay == null ? Relay.NONE : relay));
        WebSocketUpgrade upgrade = new WebSocketUpgrade(settings.port(), settings.websocketsPath(), sockets);
        // Gateway calls main.start(), not run(), so MainListener.afterStart never fires: use the context's own event
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport m) {
                try {
                    m.getCamelContext().addStartupListener(upgrade);
                    if (relay != null) {
                        m.getCamelContext().addService(relay, true, true);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("cannot register the WebSocket publisher: " + e.getMessage(), e);
                }
            }
        });
    }
}
