package io.agcgateway.publisher;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.http.Json;
import io.agcgateway.metrics.GatewayMetrics;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.support.service.ServiceSupport;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gateway.cluster=true: the OAuth callback may land on another node than the browser's WebSocket. A message whose
 * socket is not here is sent with NOTIFY on one channel; every node LISTENs on its own connection (outside the pool,
 * held for the node's life) and delivers the messages whose socket it holds. PostgreSQL is the store we already run;
 * Nango does the same with Redis pub/sub (channel publisher:&lt;wsClientId&gt;). NOTIFY payloads are limited to 8000
 * bytes (PostgreSQL docs, NOTIFY); ours are a few hundred.
 */
public final class PgNotifyRelay extends ServiceSupport implements Relay {
    static final String CHANNEL = "agc_ws_publisher";
    private static final int MAX_PAYLOAD = 7900;
    private static final Logger LOG = LoggerFactory.getLogger(PgNotifyRelay.class);

    private final DataSource pool;
    private final String url;
    private final String user;
    private final String password;
    private final WebSocketRegistry sockets;
    private final GatewayMetrics metrics;
    private final Duration retry;
    private volatile boolean running;
    private volatile Connection listening;
    private Thread listener;

    public PgNotifyRelay(DataSource pool, String url, String user, String password, WebSocketRegistry sockets,
                         GatewayMetrics metrics, Duration retry) {
        this.pool = pool;
        this.url = url;
        this.user = user;
        this.password = password;
        this.sockets = sockets;
        this.metrics = metrics;
        this.retry = retry;
    }

    @Override
    public boolean send(String wsClientId, String message, String type) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("ws_client_id", wsClientId);
        p.put("type", type);
        p.put("message", message);
        String payload = Json.write(p);
        if (payload.length() > MAX_PAYLOAD) {
            LOG.warn("websocket message {} not relayed: {} bytes is over NOTIFY's limit", type, payload.length());
            return false;
        }
        try (Connection c = pool.getConnection(); PreparedStatement st = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            st.setString(1, CHANNEL);
            st.setString(2, payload);
            st.execute();
            metrics.websocketRelay("sent");
            return true;
        } catch (SQLException e) {
            LOG.warn("websocket message {} not relayed: {}", type, e.getMessage());
            return false;
        }
    }

    /** A NOTIFY from any node (this one included): delivered when the socket is here, ignored otherwise. */
    void received(String payload) {
        JsonNode p = Json.read(payload);
        if (sockets.deliver(p.path("ws_client_id").asText(null), p.path("message").asText(), p.path("type").asText())) {
            metrics.websocketRelay("delivered");
        }
    }

    @Override
    protected void doStart() {
        running = true;
        listener = new Thread(this::listen, "ws-relay-listener");
        listener.setDaemon(true);
        listener.start();
    }

    @Override
    protected void doStop() throws InterruptedException {
        running = false;
        closeQuietly(listening);
        if (listener != null) {
            listener.join(5_000);
        }
    }

    private void listen() {
        while (running) {
            try (Connection c = DriverManager.getConnection(url, user, password); Statement st = c.createStatement()) {
                listening = c;
                st.execute("LISTEN " + CHANNEL);
                LOG.info("websocket relay listening on channel {}", CHANNEL);
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] batch = pg.getNotifications(1_000);
                    if (batch != null) {
                        for (PGNotification n : batch) {
                            received(n.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    // messages sent while we reconnect are lost: their flows end with window_closed or a retry
                    LOG.warn("websocket relay lost its LISTEN connection ({}); retrying in {} ms", e.getMessage(), retry.toMillis());
                    sleep(retry);
                }
            }
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // stopping anyway
            }
        }
    }
}
