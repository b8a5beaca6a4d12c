package io.agcgateway.tracing;

import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.telemetry.decorators.PlatformHttpSpanDecorator;

/**
 * Camel's platform-http span decorator with {@code http.url} as {@link RedactingSpanExporter#url} records it (query
 * values dropped): the URL a caller sent may carry a credential in its query ({@code /oauth/connect/x?connect_session_token=},
 * {@code /connect?session_token=}, a proxied {@code ?access_token=}, anything). Camel keeps a registered subclass of a
 * standard decorator in its place.
 */
public final class PlatformHttpRedactedSpanDecorator extends PlatformHttpSpanDecorator {

    @Override
    protected String getHttpURL(Exchange exchange, Endpoint endpoint) {
        return RedactingSpanExporter.url(super.getHttpURL(exchange, endpoint));
    }
}
