package io.agcgateway;

import io.agcgateway.catalog.ProviderCatalog;
import io.agcgateway.config.GatewaySettings;
import io.agcgateway.store.KeyMaterial;
import java.time.Clock;
import javax.sql.DataSource;
import org.apache.camel.main.Main;

/** Binds the beans of the feature areas (sandbox, OAuth, proxy, refresh, logs) beside the core ones. */
final class Extensions {
    private Extensions() {
    }

    static void install(Main main, GatewaySettings settings, DataSource ds, KeyMaterial keys, ProviderCatalog catalog, Clock clock) {
        // feature areas add their bindings here
        io.agcgateway.web.Web.install(main);
        io.agcgateway.sandbox.Sandbox.install(main, settings, ds, keys, catalog, clock);
        io.agcgateway.publisher.PublisherModule.install(main, settings, ds);
        io.agcgateway.oauth.OAuthModule.install(main, settings, ds, keys, catalog, clock);
        io.agcgateway.proxy.ProxyModule.install(main, settings, catalog, clock);
        io.agcgateway.refresh.SweepModule.install(main, settings, ds, clock);
        main.bind("purge", new io.agcgateway.retention.Purge(new io.agcgateway.retention.RetentionStore(ds),
                main.lookup("gatewayMetrics", io.agcgateway.metrics.GatewayMetrics.class), clock, settings.retention(),
                settings.purgeGrace(), settings.integer("gateway.purge.batch-size", 100, 1_000_000)));
    }
}
