package io.agcgateway.publisher;

import io.agcgateway.metrics.GatewayMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSockets open on this node. Each socket gets an id in connection_ack, the SDK sends that id to
 * /oauth/connect, and the one final message of the flow (success or error) goes back on it; then the socket is
 * closed. Pings keep reverse proxies from cutting a socket while the user reads the consent page; a socket is
 * closed after max-lifetime, which outlives the OAuth state.
 */
public final class WebSocketRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketRegistry.class);

    private final Map<String, ServerWebSocket> sockets = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final GatewayMetrics metrics;
    private final Duration pingInterval;
    private final Duration maxLifetime;

    public WebSocketRegistry(GatewayMetrics metrics, Duration pingInterval, Duration maxLifetime) {
        this.metrics = metrics;
        this.pingInterval = pingInterval;
        this.maxLifetime = maxLifetime;
    }

    /** A socket just upgraded: register it under a new id and acknowledge at once (the SDK waits for this). */
    public void open(ServerWebSocket ws, Vertx vertx) {
        String id = UUID.randomUUID().toString();
        sockets.put(id, ws);
        open.incrementAndGet();
        metrics.websocketsOpen(open);
        long ping = vertx.setPeriodic(pingInterval.toMillis(), t -> ws.writePing(Buffer.buffer()));
        long expire = vertx.setTimer(maxLifetime.toMillis(), t -> ws.close((short) 1000, "expired"));
        ws.closeHandler(v -> {
            vertx.cancelTimer(ping);
            vertx.cancelTimer(expire);
            if (sockets.remove(id) != null) {
                open.decrementAndGet();
            }
        });
        // the SDK sends nothing; a text frame is ignored, never echoed
        ws.textMessageHandler(text -> { });
        send(ws, WsMessages.ack(id), "connection_ack", false);
    }

    /**
     * The final message of a flow to the socket with this id on this node, then the socket is closed.
     *
     * @return false when no socket of that id is open here (closed by the user, expired, or on another node)
     */
    public boolean deliver(String wsClientId, String message, String type) {
        ServerWebSocket ws = wsClientId == null ? null : sockets.remove(wsClientId);
        if (ws == null) {
            return false;
        }
        open.decrementAndGet();
        send(ws, message, type, true);
        return true;
    }

    public int openSockets() {
        return open.get();
    }

    private void send(ServerWebSocket ws, String message, String type, boolean last) {
        ws.writeTextMessage(message).onComplete(r -> {
            if (r.succeeded()) {
                metrics.websocketMessage(type);
            } else {
                LOG.info("websocket message {} not sent: {}", type, r.cause().getMessage());
            }
            if (last) {
                ws.close((short) 1000, "done");
            }
        });
    }
}
