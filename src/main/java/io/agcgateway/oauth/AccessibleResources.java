package io.agcgateway.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.http.Json;
import io.agcgateway.http.Version;
import io.agcgateway.http.OutboundCall;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;

/**
 * GET accessible-resources with the new access token, trying the catalog's URLs in order until one answers 2xx
 * (Atlassian documents the api. host, Nango's AGC hook calls the auth. host). Each GET goes through route
 * accessible-resources (camel-http).
 */
public final class AccessibleResources {
    /** sites null when every URL failed; reason says why. */
    public record Result(List<Map<String, Object>> sites, String reason) {
    }

    public static final String ROUTE = "direct:accessible-resources";

    private final OutboundCall http;

    public AccessibleResources(OutboundCall http) {
        this.http = http;
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
            OutboundCall.Answer res = http.send(ROUTE, url, Map.of("Authorization", "Bearer " + accessToken,
                    "Accept", "application/json", "User-Agent", Version.USER_AGENT), null);
            if (res.failure() != null) {
                reason = res.failure();
                continue;
            }
            if (res.status() / 100 != 2) {
                reason = "http_" + res.status();
                continue;
            }
            JsonNode body;
            try {
                body = res.body() == null ? null : Json.MAPPER.readTree(res.body());
            } catch (IOException e) {
                body = null;
            }
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
        }
        return new Result(null, reason);
    }
}
