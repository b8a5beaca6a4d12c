package io.agcgateway.oauth;

import io.agcgateway.auth.ApiKeyAuth;
import io.agcgateway.catalog.ProviderCatalog;
import io.agcgateway.config.GatewaySettings;
import io.agcgateway.connections.ConnectionImports;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.connections.ConnectionsApi;
import io.agcgateway.http.RequestBody;
import io.agcgateway.integrations.IntegrationStore;
import io.agcgateway.logs.OperationLog;
import io.agcgateway.publisher.Publisher;
import io.agcgateway.refresh.RefreshService;
import io.agcgateway.store.KeyMaterial;
import io.agcgateway.webhooks.WebhookDelivery;
import io.agcgateway.webhooks.WebhookEvents;
import java.time.Clock;
import javax.sql.DataSource;
import org.apache.camel.main.Main;

/** Binds the connect-session, OAuth, connections-API and webhook beans; core beans are looked up from main's registry. */
public final class OAuthModule {
    private OAuthModule() {
    }

    public static void install(Main main, GatewaySettings settings, DataSource ds, KeyMaterial keys, ProviderCatalog catalog, Clock clock) {
        IntegrationStore integrations = main.lookup("integrationStore", IntegrationStore.class);
        ConnectionStore connections = main.lookup("connectionStore", ConnectionStore.class);
        OperationLog log = main.lookup("operationLog", OperationLog.class);
        RequestBody bodies = main.lookup("requestBody", RequestBody.class);
        TokenClient tokens = main.lookup("tokenClient", TokenClient.class);
        RefreshService refresh = main.lookup("refreshService", RefreshService.class);
        Publisher publisher = main.lookup("authPublisher", Publisher.class);
        String publicUrl = settings.publicUrl();

        // Nango signs with the environment's webhook signing key; ours defaults to the secret key like older Nango environments.
        String secret = settings.raw("gateway.webhook.secret").isEmpty() ? keys.secretKey : settings.raw("gateway.webhook.secret");
        WebhookEvents events = new WebhookEvents(settings.webhookUrl(), main::getCamelContext, log, clock);
        refresh.setEvents(events);

        ConnectSessions sessions = new ConnectSessions(ds, integrations, connections, catalog, bodies, log, clock,
                settings.duration("gateway.connect.session-ttl"), publicUrl, settings.websocketsPath());
        main.bind("connectSessions", sessions);
        main.bind("connectSessionAuth", new ConnectSessionAuth(main.lookup("apiKeyAuth", ApiKeyAuth.class), sessions));
        main.bind("connectUi", new ConnectUi(sessions, settings.connectUiFrameAncestors(), settings.websocketsPath()));
        main.bind("oauthConnect", new OAuthConnect(ds, sessions, integrations, catalog, keys.cipher, log, publisher, clock,
                settings.duration("gateway.oauth.state-ttl"), publicUrl, settings.integer("gateway.connect.max-starts-per-session", 1, 10_000)));
        main.bind("oauthCallback", new OAuthCallback(ds, integrations, connections, sessions, catalog, keys.cipher, tokens, log,
                () -> events, publisher, clock));
        main.bind("accessibleResources", new AccessibleResources(settings.duration("gateway.proxy.connect-timeout"),
                settings.duration("gateway.oauth.token-timeout")));
        main.bind("siteSelector", new SiteSelector());
        main.bind("connectionsApi", new ConnectionsApi(connections, integrations, keys.cipher, refresh, bodies, log, clock));
        main.bind("connectionImports", new ConnectionImports(connections, integrations, keys.cipher, refresh, bodies, log, () -> events,
                clock));
        main.bind("authEvents", events);
        main.bind("webhookDelivery", new WebhookDelivery(secret, settings.integer("gateway.webhook.retries", 0, 10),
                settings.duration("gateway.webhook.backoff"), settings.duration("gateway.webhook.timeout"), log, clock));
    }
}
