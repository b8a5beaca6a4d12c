package io.agcgateway.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.catalog.Provider;
import io.agcgateway.http.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Calls a provider's token endpoint: form-encoded body with the client credentials in it (RFC 6749 §2.3.1,
 * as Nango and Atlassian do). Never logs the body of either side.
 */
public class TokenClient {
    private final HttpClient http;
    private final Duration timeout;

    public TokenClient(Duration connectTimeout, Duration timeout) {
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER).build();
        this.timeout = timeout;
    }

    /** RFC 6749 §4.1.3 with the PKCE verifier of RFC 7636 §4.5. */
    public TokenResponse exchangeCode(Provider p, String clientId, String clientSecret, String code, String redirectUri, String codeVerifier) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.putAll(p.tokenParams());
        form.put("code", code);
        form.put("redirect_uri", redirectUri);
        form.put("client_id", clientId);
        form.put("client_secret", clientSecret);
        if (codeVerifier != null) {
            form.put("code_verifier", codeVerifier);
        }
        return post(p.tokenUrl(), form);
    }

    /** RFC 6749 §6. */
    public TokenResponse refresh(Provider p, String clientId, String clientSecret, String refreshToken) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "refresh_token");
        form.putAll(p.refreshParams());
        form.put("refresh_token", refreshToken);
        form.put("client_id", clientId);
        form.put("client_secret", clientSecret);
        return post(p.tokenUrl(), form);
    }

    TokenResponse post(String url, Map<String, String> form) {
        StringJoiner body = new StringJoiner("&");
        form.forEach((k, v) -> body.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest req = HttpRequest.newBuilder(URI.create(url))
                .timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .header("User-Agent", io.agcgateway.http.Version.USER_AGENT)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        HttpResponse<String> res;
        try {
            res = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            return new TokenResponse(TokenResponse.Kind.UNAVAILABLE, 0, null, null, null, null, "timeout", "token endpoint timed out");
        } catch (IOException e) {
            return new TokenResponse(TokenResponse.Kind.UNAVAILABLE, 0, null, null, null, null, "network_error",
                    "token endpoint unreachable: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new TokenResponse(TokenResponse.Kind.UNAVAILABLE, 0, null, null, null, null, "interrupted", "interrupted");
        }
        return parse(res.statusCode(), res.body());
    }

    static TokenResponse parse(int status, String body) {
        JsonNode json;
        try {
            json = body == null || body.isBlank() ? null : Json.MAPPER.readTree(body);
        } catch (IOException e) {
            json = null;
        }
        if (json == null && !(status >= 200 && status < 300 && (body == null || body.isBlank()))) {
            // not JSON (an HTML error page, a redirect to a login page): something between us and the provider answered,
            // not the provider's OAuth server, which always answers JSON. Transient: keep the tokens and back off, rather
            // than marking the connection failed and making its user consent again.
            return new TokenResponse(TokenResponse.Kind.UNAVAILABLE, status, null, null, null, null, "http_" + status,
                    "token endpoint answered " + status + " without JSON");
        }
        if (status >= 500 || status == 429) {
            return new TokenResponse(TokenResponse.Kind.UNAVAILABLE, status, null, null, null, null, "http_" + status,
                    "token endpoint answered " + status);
        }
        if (status >= 400 || status < 200) {
            String err = json != null && json.hasNonNull("error") ? json.get("error").asText() : "http_" + status;
            String desc = json != null && json.hasNonNull("error_description") ? json.get("error_description").asText() : null;
            return new TokenResponse(TokenResponse.Kind.REJECTED, status, null, null, null, null, err, desc);
        }
        if (json == null || !json.isObject() || !json.hasNonNull("access_token")) {
            return new TokenResponse(TokenResponse.Kind.REJECTED, status, null, null, null, null, "unable_to_parse_token_response",
                    "the token endpoint answered without an access_token");
        }
        Long expiresIn = json.hasNonNull("expires_in") && json.get("expires_in").canConvertToLong() ? json.get("expires_in").asLong() : null;
        String rt = json.hasNonNull("refresh_token") ? json.get("refresh_token").asText() : null;
        return new TokenResponse(TokenResponse.Kind.OK, status, json.get("access_token").asText(), rt, expiresIn,
                Json.toMap(json), null, null);
    }
}
