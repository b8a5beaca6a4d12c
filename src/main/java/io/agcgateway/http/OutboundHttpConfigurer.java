package io.agcgateway.http;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;

/**
 * The httpclient5 rules of the gateway's own camel-http routes (token-endpoint, accessible-resources, webhooks),
 * named by each endpoint rather than set on the http component, so a host Camel app's own http calls are untouched.
 * No cookies: a provider's cookie must never ride along on the next tenant's token request. No automatic retries: a
 * refresh token is single-use (rotating refresh tokens) and the webhooks route retries on its own terms. No
 * Accept-Encoding: the answers are small.
 */
public final class OutboundHttpConfigurer implements HttpClientConfigurer {
    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.disableCookieManagement().disableAutomaticRetries().disableContentCompression();
    }
}
