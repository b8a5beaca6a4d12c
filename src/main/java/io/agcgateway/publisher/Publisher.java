package io.agcgateway.publisher;

/**
 * Bean {@code publisher}: the outcome of an OAuth flow to the @nangohq/frontend WebSocket that started it, on this
 * node when the socket is here, else through the {@link Relay} to the node that holds it (Nango: Redis pub/sub).
 */
public final class Publisher {
    private final WebSocketRegistry sockets;
    private final Relay relay;

    public Publisher(WebSocketRegistry sockets, Relay relay) {
        this.sockets = sockets;
        this.relay = relay;
    }

    /** @return false when no node could be asked (single node without that socket) */
    public boolean publish(String wsClientId, String message, String type) {
        return wsClientId != null && (sockets.deliver(wsClientId, message, type) || relay.send(wsClientId, message, type));
    }

    public int openSockets() {
        return sockets.openSockets();
    }
}
