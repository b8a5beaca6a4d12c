package io.agcgateway.publisher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.http.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A socket as the SDK opens it: new URL(websocketsPath, host) with http → ws. */
public final class WsClient implements WebSocket.Listener {
    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final AtomicInteger pings = new AtomicInteger();
    volatile int closeCode = -1;
    private final StringBuilder partial = new StringBuilder();

    public static WsClient open(String base, String path) throws Exception {
        WsClient c = new WsClient();
        HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(base.replace("http://", "ws://") + path), c).get(10, TimeUnit.SECONDS);
        return c;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            messages.add(partial.toString());
            partial.setLength(0);
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
        pings.incrementAndGet();
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        closeCode = statusCode;
        return null;
    }

    public JsonNode next() throws InterruptedException {
        String m = messages.poll(10, TimeUnit.SECONDS);
        assertThat(m).as("a message within 10 s").isNotNull();
        return Json.read(m);
    }

    public String ack() throws InterruptedException {
        JsonNode ack = next();
        assertThat(ack.path("message_type").asText()).isEqualTo("connection_ack");
        return ack.path("ws_client_id").asText();
    }

    public void awaitClose() throws InterruptedException {
        for (int i = 0; i < 100 && closeCode < 0; i++) {
            Thread.sleep(100);
        }
        assertThat(closeCode).as("closed by the gateway").isEqualTo(1000);
    }
}
