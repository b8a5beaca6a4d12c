package io.agcgateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Walks the browser side of the OAuth flow over real HTTP, following each redirect by hand. */
public final class FlowDriver {
    public final Http http;
    public final Http browser;
    public final String base;

    public FlowDriver(String base, String key) {
        this.base = base;
        this.http = new Http(base, key);
        this.browser = new Http(base, null);
    }

    public String session(String endUserId, String... allowed) {
        String list = allowed.length == 0 ? "" : ",\"allowed_integrations\":[\"" + String.join("\",\"", allowed) + "\"]";
        Http.Res r = http.post("/connect/sessions", "{\"end_user\":{\"id\":\"" + endUserId + "\",\"email\":\"" + endUserId
                + "@example.gov\"},\"organization\":{\"id\":\"org1\"},\"tags\":{\"team\":\"blue\"}" + list + "}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().path("data").path("token").asText();
    }

    /** GET /oauth/connect: returns the provider URL of the 302. */
    public Http.Res connect(String integration, String token, String subdomain) {
        String path = "/oauth/connect/" + integration + "?connect_session_token=" + token
                + (subdomain == null ? "" : "&params%5Bsubdomain%5D=" + subdomain);
        return browser.get(path);
    }

    /** The sandbox consent, auto-approved: returns the callback URL (path+query on the gateway). */
    public String approve(String providerUrl, String decision) {
        Http.Res r = abs(providerUrl + (decision == null ? "&auto_approve=true" : "&decision=" + decision));
        assertThat(r.status()).as(r.toString()).isEqualTo(302);
        return r.header("Location");
    }

    public Http.Res abs(String url) {
        URI u = URI.create(url);
        return browser.get(u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery()));
    }

    /** Whole flow; returns the callback answer. */
    public Http.Res run(String integration, String token, String subdomain) {
        Http.Res c = connect(integration, token, subdomain);
        assertThat(c.status()).as(c.toString()).isEqualTo(302);
        return abs(approve(c.header("Location"), null));
    }

    public JsonNode onlyConnection(String endUserId) {
        Http.Res r = http.get("/connections?endUserId=" + endUserId);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("connections")).hasSize(1);
        return r.json().path("connections").get(0);
    }

    public static Map<String, String> query(String url) {
        String q = URI.create(url).getRawQuery();
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String p : q.split("&")) {
            int i = p.indexOf('=');
            m.put(URLDecoder.decode(p.substring(0, i), StandardCharsets.UTF_8), URLDecoder.decode(p.substring(i + 1), StandardCharsets.UTF_8));
        }
        return m;
    }
}
