package io.agcgateway.http.vertx;

import java.net.URI;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** One upstream base URL (scheme, host, port, base path); see {@link UpstreamComponent}. */
final class UpstreamEndpoint extends DefaultEndpoint {
    final boolean ssl;
    final String host;
    final int port;
    final String basePath;

    UpstreamEndpoint(String uri, UpstreamComponent component, String base) {
        super(uri, component);
        URI u = URI.create(base);
        if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
            throw new IllegalArgumentException("upstream: needs an http(s) base URL");
        }
        this.ssl = "https".equals(u.getScheme());
        this.host = u.getHost();
        this.port = u.getPort() > 0 ? u.getPort() : ssl ? 443 : 80;
        String p = u.getRawPath() == null ? "" : u.getRawPath();
        this.basePath = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    @Override
    public UpstreamComponent getComponent() {
        return (UpstreamComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        return new UpstreamProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("upstream: is a producer only");
    }

    @Override
    public boolean isLenientProperties() {
        return false;
    }
}
