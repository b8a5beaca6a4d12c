package io.agcgateway.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.http.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A small real-HTTP client for tests. */
public final class Http {
    public static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private final String base;
    private final String key;

    public Http(String base, String key) {
        this.base = base;
        this.key = key;
    }

    public record Res(int status, String body, java.net.http.HttpHeaders headers) {
        public JsonNode json() {
            return Json.read(body);
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    public Res get(String path, String... headers) {
        return send("GET", path, null, headers);
    }

    public Res delete(String path, String... headers) {
        return send("DELETE", path, null, headers);
    }

    public Res post(String path, String json, String... headers) {
        return send("POST", path, json, withJson(headers));
    }

    public Res patch(String path, String json, String... headers) {
        return send("PATCH", path, json, withJson(headers));
    }

    private static String[] withJson(String[] headers) {
        for (int i = 0; i < headers.length; i += 2) {
            if (headers[i].equalsIgnoreCase("Content-Type")) {
                return headers;
            }
        }
        List<String> h = new ArrayList<>(List.of(headers));
        h.add("Content-Type");
        h.add("application/json");
        return h.toArray(new String[0]);
    }

    /** Sends with the secret key unless an Authorization header is given ("Authorization", null removes it). */
    public Res send(String method, String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        boolean authGiven = false;
        for (int i = 0; i < headers.length; i += 2) {
            if (headers[i].equalsIgnoreCase("Authorization")) {
                authGiven = true;
                if (headers[i + 1] == null) {
                    continue;
                }
            }
            b.header(headers[i], headers[i + 1]);
        }
        if (!authGiven && key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Res(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
