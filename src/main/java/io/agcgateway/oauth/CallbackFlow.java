package io.agcgateway.oauth;

import io.agcgateway.catalog.Provider;
import io.agcgateway.connections.Connection;
import io.agcgateway.integrations.Integration;
import io.agcgateway.oauth.TokenResponse;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;

/** What the steps of route oauth-callback learn, carried in one exchange property (never in headers, which are echoed). */
final class CallbackFlow {
    static final String PROPERTY = "agc.oauthCallback";

    long started;
    Integration integration;
    Provider provider;
    String connectionId;
    Long connectSessionId;
    Map<String, Object> connectionConfig;
    String codeVerifier;
    String redirectUri;
    String code;
    TokenResponse token;
    String accessToken;
    List<Map<String, Object>> sites;
    String enrichmentReason;
    SiteSelector.Selection selection;
    Connection stored;
    boolean created;
    /** the @nangohq/frontend WebSocket that started the flow, or null */
    String wsClientId;
    /** set by OAuthCallback.failed: what the page and the WebSocket report */
    OAuthFailure failure;

    static CallbackFlow of(Exchange ex) {
        CallbackFlow f = ex.getProperty(PROPERTY, CallbackFlow.class);
        if (f == null) {
            f = new CallbackFlow();
            ex.setProperty(PROPERTY, f);
        }
        return f;
    }

    String subdomain() {
        return connectionConfig != null && connectionConfig.get("subdomain") instanceof String s ? s : null;
    }
}
