package io.agcgateway.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.http.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;

/**
 * GET accessible-resources with the new access token, trying the catalog's URLs in order until one answers 2xx
 * (Atlassian documents the api. host, Nango's AGC hook calls the auth. host).
 */
public final class AccessibleResources {
    /** sites null when every URL failed; reason says why. */
    public record Result(List<Map<String, Object>> sites, String reason) {
    }

    private final HttpClient http;
    private final Duration timeout;

    public AccessibleResources(Duration connectTimeout, Duration timeout) {
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER).build();
        this.timeout = timeout;
    }

    /** Step of route cloud-id-enrichment. */
    public void fetch(Exchange ex) {
        CallbackFlow flow = CallbackFlow.of(ex);
        Result r = fetch(flow.provider.accessibleResourcesUrls(), flow.accessToken);
        flow.sites = r.sites();
        flow.enrichmentReason = r.reason();
    }

    public Result fetch(List<String> urls, String accessToken) {
        if (urls.isEmpty()) {
            return new Result(null, "no_accessible_resources_url");
        }
        String reason = "unavailable";
        for (String url : urls) {
            HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                    .header("Authorization", "Bearer " + accessToken).header("Accept", "application/json")
                    .header("User-Agent", io.agcgateway.http.Version.USER_AGENT).GET().build();
            try {
                HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
                if (res.statusCode() / 100 != 2) {
                    reason = "http_" + res.statusCode();
                    continue;
                }
                JsonNode body = Json.MAPPER.readTree(res.body());
                if (body == null || !body.isArray()) {
                    reason = "not_a_list";
                    continue;
                }
                List<Map<String, Object>> sites = new ArrayList<>();
                body.forEach(n -> {
                    if (n.isObject()) {
                        sites.add(Json.toMap(n));
                    }
                });
                return new Result(sites, sites.isEmpty() ? "empty" : "ok");
            } catch (IOException | IllegalArgumentException e) {
                reason = e instanceof java.net.http.HttpTimeoutException ? "timeout" : "network_error";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result(null, "interrupted");
            }
        }
        return new Result(null, reason);
    }
}
