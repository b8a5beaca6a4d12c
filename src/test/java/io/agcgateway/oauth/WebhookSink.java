package io.agcgateway.oauth;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A loopback webhook receiver that records what it gets and can answer 5xx for the first N calls. */
public final class WebhookSink implements AutoCloseable {
    public record Received(String body, Map<String, List<String>> headers) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    public final List<Received> received = new CopyOnWriteArrayList<>();
    final AtomicInteger calls = new AtomicInteger();
    volatile int failFirst;
    private final HttpServer server;

    public WebhookSink() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", x -> {
            String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int n = calls.incrementAndGet();
            if (n <= failFirst) {
                x.sendResponseHeaders(503, -1);
            } else {
                received.add(new Received(body, x.getRequestHeaders()));
                x.sendResponseHeaders(204, -1);
            }
            x.close();
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    List<Received> await(int n) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while (received.size() < n && System.currentTimeMillis() < end) {
            Thread.sleep(20);
        }
        return received;
    }

    /** Waits (bounded) for a delivery matching the predicate; deliveries are asynchronous. */
    public boolean awaitMatch(java.util.function.Predicate<Received> p) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < end) {
            if (received.stream().anyMatch(p)) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
