package io.agcgateway.tracing;

import io.agcgateway.http.vertx.UpstreamComponent;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.telemetry.decorators.AbstractHttpSpanDecorator;

/**
 * The span of api-proxy's {@code toD upstream:<base URL>}: one per attempt, a child of the route's span, named after
 * the method like Camel's other HTTP client spans, from the request until the answer's head. {@code http.url} is the
 * URL the provider is sent, base + raw path + the raw query's parameter names ({@link RedactingSpanExporter#url});
 * {@code http.status_code} the answer's.
 * Registered in META-INF/services/org.apache.camel.telemetry.SpanDecorator.
 */
public final class UpstreamSpanDecorator extends AbstractHttpSpanDecorator {

    @Override
    public String getComponent() {
        return "upstream";
    }

    @Override
    public String getComponentClassName() {
        return UpstreamComponent.class.getName();
    }

    @Override
    protected String getHttpURL(Exchange exchange, Endpoint endpoint) {
        String base = stripSchemeAndOptions(endpoint);
        String path = exchange.getIn().getHeader(Exchange.HTTP_PATH, "", String.class);
        String query = exchange.getIn().getHeader(Exchange.HTTP_RAW_QUERY, String.class);
        return RedactingSpanExporter.url(base + path + (query == null || query.isEmpty() ? "" : "?" + query));
    }
}
