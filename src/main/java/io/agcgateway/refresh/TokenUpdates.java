package io.agcgateway.refresh;

import io.agcgateway.connections.Connection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Rows whose tokens this node just refreshed or replaced under the lease, told to the caches that hold tokens. */
public final class TokenUpdates {
    private static final Logger LOG = LoggerFactory.getLogger(TokenUpdates.class);
    private final List<Consumer<Connection>> listeners = new CopyOnWriteArrayList<>();

    public void subscribe(Consumer<Connection> listener) {
        listeners.add(listener);
    }

    void publish(Connection c) {
        for (Consumer<Connection> l : listeners) {
            try {
                l.accept(c);
            } catch (RuntimeException e) {
                LOG.warn("refresh listener failed: {}", e.getClass().getSimpleName());
            }
        }
    }
}
