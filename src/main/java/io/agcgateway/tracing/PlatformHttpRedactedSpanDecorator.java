package io.agcgateway.tracing;

import io.agcgateway.http.Redact;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.telemetry.decorators.PlatformHttpSpanDecorator;

/**
 * Camel's platform-http span decorator with {@code http.url} through {@link Redact}: the URL a caller sent may carry a
 * credential in its query ({@code /oauth/connect/x?connect_session_token=}, {@code /connect?session_token=}, a proxied
 * {@code ?access_token=}). Camel keeps a registered subclass of a standard decorator in its place.
 */
public final class PlatformHttpRedactedSpanDecorator extends PlatformHttpSpanDecorator {

    @Override
    protected String getHttpURL(Exchange exchange, Endpoint endpoint) {
        return Redact.text(super.getHttpURL(exchange, endpoint));
    }
}
