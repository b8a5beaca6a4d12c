package io.agcgateway.publisher;

import io.agcgateway.config.GatewaySettings;
import io.agcgateway.metrics.GatewayMetrics;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

/**
 * Binds {@code authPublisher} (used by the beans of routes oauth-connect and oauth-callback) and adds the WebSocket
 * upgrade to the platform-http router once Camel has started it.
 */
public final class PublisherModule {
    private PublisherModule() {
    }

    public static void install(Main main, GatewaySettings settings) {
        GatewayMetrics metrics = main.lookup("gatewayMetrics", GatewayMetrics.class);
        Publisher publisher = new Publisher(metrics, settings.duration("gateway.websockets.ping-interval"),
                settings.duration("gateway.websockets.max-lifetime"));
        main.bind("authPublisher", publisher);
        WebSocketUpgrade upgrade = new WebSocketUpgrade(settings.port(), settings.websocketsPath(), publisher);
        // Gateway calls main.start(), not run(), so MainListener.afterStart never fires: use the context's own event
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport m) {
                try {
                    m.getCamelContext().addStartupListener(upgrade);
                } catch (Exception e) {
                    throw new IllegalStateException("cannot register the WebSocket upgrade: " + e.getMessage(), e);
                }
            }
        });
    }
}
