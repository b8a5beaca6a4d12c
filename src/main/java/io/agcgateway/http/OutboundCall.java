package io.agcgateway.http;

import java.io.InterruptedIOException;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * One low-volume outbound HTTP call (token endpoint, accessible-resources) sent through its camel-http route: the
 * route owns the transport (timeouts, no redirects, no cookies, see routes/token-endpoint.camel.yaml), the caller owns
 * what the answer means. A transport failure comes back as a reason, never as an exception, and never with the body.
 */
public final class OutboundCall {
    /** Exchange property holding the URL the route's toD calls. */
    public static final String URL = "gatewayOutboundUrl";

    /** status 0 and a failure reason (timeout, network_error) when no HTTP answer came back. */
    public record Answer(int status, String body, String failure) {
    }

    private final Supplier<CamelContext> camel;
    private volatile ProducerTemplate template;

    /** @param camel the running CamelContext, where the routes are */
    public OutboundCall(Supplier<CamelContext> camel) {
        this.camel = camel;
    }

    public Answer send(String route, String url, Map<String, String> headers, String body) {
        Exchange ex = template().send(route, e -> {
            e.setProperty(URL, url);
            headers.forEach(e.getMessage()::setHeader);
            e.getMessage().setBody(body);
        });
        Exception failure = ex.getException() != null ? ex.getException() : ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (failure != null) {
            return new Answer(0, null, reason(failure));
        }
        return new Answer(ex.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class),
                ex.getMessage().getBody(String.class), null);
    }

    /** timeout (connect, lease or read: httpclient5 throws InterruptedIOException subclasses) or network_error. */
    public static String reason(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof InterruptedIOException) {
                return "timeout";
            }
        }
        return "network_error";
    }

    private ProducerTemplate template() {
        ProducerTemplate t = template;
        if (t == null) {
            t = template = camel.get().createProducerTemplate();
        }
        return t;
    }
}
