package io.agcgateway.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A counting stand-in for AGC's token endpoint with Atlassian's rotation rule, living in the test JVM so several
 * gateway processes share ONE provider (until the sandbox branch's gateway.sandbox.base-url is merged).
 * Refresh tokens are "rt.FAMILY.GEN": each refresh issues GEN+1; the superseded token keeps working for the reuse
 * window; any other reuse revokes the family (403 unauthorized_client), as Atlassian does.
 */
public final class FakeTokenEndpoint implements AutoCloseable {
    public static final String PROVIDER = "fake-agc";

    private final HttpServer server;
    private final long reuseWindowMs;
    private volatile long latencyMs;
    private volatile boolean omitRefreshToken;
    private volatile boolean omitExpiresIn;
    private final ConcurrentLinkedQueue<int[]> scriptedStatus = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> scriptedBody = new ConcurrentLinkedQueue<>();
    private final Map<String, Family> families = new ConcurrentHashMap<>();
    public final AtomicInteger refreshCalls = new AtomicInteger();
    /** Families in the order their refresh requests arrived. */
    public final java.util.Queue<String> callOrder = new java.util.concurrent.ConcurrentLinkedQueue<>();
    public final AtomicInteger unauthorized = new AtomicInteger();

    private static final class Family {
        int current;
        int previous = -1;
        long previousUntil;
        boolean revoked;
        final AtomicInteger calls = new AtomicInteger();
    }

    public FakeTokenEndpoint(long reuseWindowMs) {
        this.reuseWindowMs = reuseWindowMs;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(64, r -> {
            Thread t = new Thread(r, "fake-token-endpoint");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/oauth/token", this::token);
        server.start();
    }

    public String tokenUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/oauth/token";
    }

    /** A catalog overlay file (GATEWAY_PROVIDERS) naming this endpoint as provider {@value #PROVIDER}. */
    public Path catalogFile() {
        String yaml = PROVIDER + ":\n"
                + "    display_name: Fake AGC token endpoint\n"
                + "    auth_mode: OAUTH2\n"
                + "    authorization_url: http://127.0.0.1:9/authorize\n"
                + "    token_url: " + tokenUrl() + "\n"
                + "    default_scopes: [offline_access]\n"
                + "    token_expires_in_default: 1800\n"
                + "    proxy:\n"
                + "        base_url: http://127.0.0.1:9\n";
        try {
            Path f = Files.createTempFile("fake-agc", ".yaml");
            Files.writeString(f, yaml);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void latency(long ms) {
        latencyMs = ms;
    }

    public void omitRefreshToken(boolean v) {
        omitRefreshToken = v;
    }

    public void omitExpiresIn(boolean v) {
        omitExpiresIn = v;
    }

    /** The next refresh answers this status and JSON body instead of tokens. */
    public void failNext(int status, String json) {
        scriptedStatus.add(new int[] {status});
        scriptedBody.add(json);
    }

    public int calls(String family) {
        Family f = families.get(family);
        return f == null ? 0 : f.calls.get();
    }

    public Map<String, Integer> callsByFamily() {
        Map<String, Integer> m = new HashMap<>();
        families.forEach((k, v) -> m.put(k, v.calls.get()));
        return m;
    }

    private void token(HttpExchange ex) throws IOException {
        try (ex) {
            Map<String, String> form = form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            // taken on arrival: a request that outlives its caller's timeout must not eat the next test's script
            int[] scripted = scriptedStatus.poll();
            String scriptedJson = scripted == null ? null : scriptedBody.poll();
            if (latencyMs > 0) {
                Thread.sleep(latencyMs);
            }
            if (!"refresh_token".equals(form.get("grant_type"))) {
                send(ex, 400, "{\"error\":\"unsupported_grant_type\"}");
                return;
            }
            refreshCalls.incrementAndGet();
            String[] parts = String.valueOf(form.get("refresh_token")).split("\\.");
            if (parts.length != 3 || !parts[0].equals("rt")) {
                send(ex, 403, "{\"error\":\"invalid_grant\",\"error_description\":\"unknown refresh token\"}");
                return;
            }
            Family f = families.computeIfAbsent(parts[1], k -> {
                Family n = new Family();
                n.current = Integer.parseInt(parts[2]);
                return n;
            });
            f.calls.incrementAndGet();
            callOrder.add(parts[1]);
            if (scripted != null) {
                send(ex, scripted[0], scriptedJson);
                return;
            }
            int gen = Integer.parseInt(parts[2]);
            int issued;
            synchronized (f) {
                long now = System.currentTimeMillis();
                if (!f.revoked && gen == f.current) {
                    f.previous = f.current;
                    f.previousUntil = now + reuseWindowMs;
                } else if (!(!f.revoked && gen == f.previous && now < f.previousUntil)) {
                    f.revoked = true; // Atlassian: reuse outside the window revokes the whole family
                    unauthorized.incrementAndGet();
                    send(ex, 403, "{\"error\":\"unauthorized_client\",\"error_description\":\"refresh_token is invalid\"}");
                    return;
                }
                issued = Math.max(f.current, gen) + 1;
                f.current = issued;
            }
            StringBuilder b = new StringBuilder("{\"access_token\":\"at." + parts[1] + "." + issued + "\",\"token_type\":\"Bearer\"");
            if (!omitRefreshToken) {
                b.append(",\"refresh_token\":\"rt.").append(parts[1]).append('.').append(issued).append('"');
            }
            if (!omitExpiresIn) {
                b.append(",\"expires_in\":3600");
            }
            send(ex, 200, b.append(",\"scope\":\"offline_access\"}").toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> m = new HashMap<>();
        for (String pair : body.split("&")) {
            int i = pair.indexOf('=');
            if (i > 0) {
                m.put(URLDecoder.decode(pair.substring(0, i), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(i + 1), StandardCharsets.UTF_8));
            }
        }
        return m;
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
