package io.agcgateway.proxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.agcgateway.http.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** A provider stand-in: token endpoint (counts refreshes), echo, byte source/sink, faults, a token-checking API. */
final class FakeUpstream implements AutoCloseable {
    final HttpServer server;
    final AtomicInteger apiCalls = new AtomicInteger();
    final AtomicInteger refreshCalls = new AtomicInteger();
    final AtomicReference<String> validToken = new AtomicReference<>("tok-1");
    final AtomicInteger tokenSeq = new AtomicInteger(1);
    final AtomicInteger faultsLeft = new AtomicInteger();
    volatile int faultStatus = 503;
    volatile Map<String, String> faultHeaders = Map.of();
    volatile boolean rejectRefresh;
    final ConcurrentLinkedQueue<String> seenPaths = new ConcurrentLinkedQueue<>();
    /** Paths whose request body was read to its end (a cut chunked body fails the read and is not listed). */
    final ConcurrentLinkedQueue<String> completeBodies = new ConcurrentLinkedQueue<>();

    FakeUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(Executors.newFixedThreadPool(32));
        server.createContext("/oauth/token", this::token);
        server.createContext("/up", this::api);
        server.createContext("/up2", this::api);
        server.start();
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void token(HttpExchange ex) throws IOException {
        refreshCalls.incrementAndGet();
        ex.getRequestBody().readAllBytes();
        sleep(200); // widen the window in which concurrent callers could refresh twice
        if (rejectRefresh) {
            send(ex, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"revoked\"}", "application/json");
            return;
        }
        String t = "tok-" + tokenSeq.incrementAndGet();
        validToken.set(t);
        send(ex, 200, "{\"access_token\":\"" + t + "\",\"refresh_token\":\"rt-" + t + "\",\"expires_in\":3600,\"token_type\":\"Bearer\"}",
                "application/json");
    }

    private void api(HttpExchange ex) throws IOException {
        apiCalls.incrementAndGet();
        String rawPath = ex.getRequestURI().getRawPath();
        seenPaths.add(rawPath);
        if (rawPath.contains("/_slow")) {
            sleep(3000);
        }
        if (rawPath.endsWith("/r") && faultsLeft.getAndDecrement() > 0) {
            faultHeaders.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            ex.getRequestBody().readAllBytes();
            send(ex, faultStatus, "{\"fault\":true}", "application/json");
            return;
        }
        if (rawPath.contains("/_loop")) { // redirects to itself, forever
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().add("Location", rawPath);
            ex.sendResponseHeaders(302, -1);
            ex.close();
            return;
        }
        if (rawPath.contains("/_redirect")) { // ?code=302&to=<Location, percent-encoded>
            ex.getRequestBody().readAllBytes();
            Map<String, String> q = new java.util.HashMap<>();
            for (String kv : ex.getRequestURI().getRawQuery().split("&")) {
                String[] p = kv.split("=", 2);
                q.put(p[0], java.net.URLDecoder.decode(p[1], StandardCharsets.UTF_8));
            }
            ex.getResponseHeaders().add("Location", q.get("to"));
            ex.sendResponseHeaders(Integer.parseInt(q.getOrDefault("code", "302")), -1);
            ex.close();
            return;
        }
        if (rawPath.contains("/_noscope")) { // Atlassian's answer to a token without the endpoint's scope
            ex.getRequestBody().readAllBytes();
            send(ex, 401, "{\"code\":401,\"message\":\"Unauthorized; scope does not match\"}", "application/json");
            return;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (rawPath.contains("/_checked") && !("Bearer " + validToken.get()).equals(auth)) {
            ex.getRequestBody().readAllBytes();
            send(ex, 401, "{\"code\":401,\"message\":\"Unauthorized\"}", "application/json");
            return;
        }
        if (rawPath.contains("/_bytes")) {
            long size = Long.parseLong(ex.getRequestURI().getRawQuery().replace("size=", ""));
            ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
            ex.sendResponseHeaders(200, size);
            byte[] buf = new byte[65536];
            try (OutputStream os = ex.getResponseBody()) {
                for (long left = size; left > 0; left -= buf.length) {
                    os.write(buf, 0, (int) Math.min(buf.length, left));
                }
            }
            return;
        }
        long n = 0;
        byte[] first = new byte[0];
        try (InputStream in = ex.getRequestBody()) {
            byte[] buf = new byte[65536];
            int r;
            while ((r = in.read(buf)) > 0) {
                if (n == 0 && first.length == 0) {
                    first = java.util.Arrays.copyOf(buf, Math.min(r, 4096));
                }
                n += r;
            }
        }
        completeBodies.add(rawPath);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("method", ex.getRequestMethod());
        out.put("path", rawPath);
        out.put("query", ex.getRequestURI().getRawQuery());
        Map<String, Object> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k, v.size() == 1 ? v.get(0) : v));
        out.put("headers", headers);
        out.put("bodyLength", n);
        out.put("body", n <= 4096 ? new String(first, StandardCharsets.UTF_8) : null);
        ex.getResponseHeaders().add("X-Upstream", "fake");
        ex.getResponseHeaders().add("Set-Cookie", "s=1");
        send(ex, 200, Json.write(out), "application/json");
    }

    private static void send(HttpExchange ex, int status, String body, String type) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A gateway on H2 whose catalog overlay names this server as provider {@code test-upstream}, with integration
     * {@code jira} on it; {@code kv} are extra settings.
     */
    io.agcgateway.Gateway gateway(String... kv) throws IOException {
        java.nio.file.Path catalog = java.nio.file.Files.createTempFile("providers-upstream", ".yaml");
        java.nio.file.Files.writeString(catalog, catalogYaml(io.agcgateway.support.TestGateway.freePort()));
        java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of("gateway.providers", catalog.toString(),
                "gateway.sandbox", "false"));
        all.addAll(java.util.List.of(kv));
        io.agcgateway.Gateway gw = io.agcgateway.Gateway.start(io.agcgateway.support.TestGateway.with(
                io.agcgateway.support.TestGateway.settings(io.agcgateway.support.TestGateway.Store.H2), all.toArray(new String[0])));
        io.agcgateway.crypto.TokenCipher cipher = gw.bean("tokenCipher", io.agcgateway.crypto.TokenCipher.class);
        long now = System.currentTimeMillis();
        gw.bean("integrationStore", io.agcgateway.integrations.IntegrationStore.class).insert(new io.agcgateway.integrations.Integration(
                0, "jira", "test-upstream", "Jira", "cid", cipher.encrypt("csecret", "client_secret"), null, null, false, now, now));
        return gw;
    }

    /** Overlay catalog: one provider whose token endpoint and proxy base are this server. */
    String catalogYaml(int closedPort) {
        return "test-upstream:\n"
                + "    display_name: Test upstream\n"
                + "    auth_mode: OAUTH2\n"
                + "    authorization_url: " + base() + "/authorize\n"
                + "    token_url: " + base() + "/oauth/token\n"
                + "    token_expires_in_default: 3600\n"
                + "    proxy:\n"
                + "        base_url: " + base() + "/up\n"
                + "        redirect_hosts:\n"
                + "            - localhost\n"
                + "        allowed_base_urls:\n"
                + "            - " + base() + "/up2\n"
                + "            - http://127.0.0.1:" + closedPort + "/down\n"
                + "        retry:\n"
                + "            at:\n"
                + "                - 'x-ratelimit-reset'\n";
    }

    static List<String> list(Object o) {
        return List.of(String.valueOf(o));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
