package io.agcgateway.http;

import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.spi.StreamCachingStrategy;

/**
 * platform-http's useStreaming (the sandbox's _echo route, the upstream of the proxy's large-body tests) collects
 * a request body in a CachedOutputStream, which only spools to disk when the stream-caching strategy is running
 * with spooling on. Stream caching stays off for routes (camel.main.stream-caching-enabled=false); only the
 * strategy is restarted with spooling once the context is up, so a 100 MB upload costs a temp file, not 100 MB of heap.
 */
public final class SpoolLargeBodies implements StartupListener {
    private final int threshold;

    public SpoolLargeBodies(int threshold) {
        this.threshold = threshold;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        StreamCachingStrategy s = context.getStreamCachingStrategy();
        try {
            s.stop();
            s.setEnabled(true);
            s.setSpoolEnabled(true);
            s.setSpoolThreshold(threshold);
            s.setRemoveSpoolDirectoryWhenStopping(true);
            s.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot enable body spooling for large request bodies: " + e.getMessage(), e);
        }
    }
}
