package io.agcgateway.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.catalog.Provider;
import io.agcgateway.http.Json;
import io.agcgateway.http.Version;
import io.agcgateway.http.OutboundCall;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Calls a provider's token endpoint through route token-endpoint (camel-http): form-encoded body, the client
 * credentials as {@link TokenRequestAuth} says (RFC 6749 §2.3.1). Never logs the body or the Authorization header of
 * either side.
 */
public class TokenClient {
    public static final String ROUTE = "direct:token-endpoint";

    private final OutboundCall http;

    public TokenClient(OutboundCall http) {
        this.http = http;
    }

    /** RFC 6749 §4.1.3 with the PKCE verifier of RFC 7636 §4.5. */
    public TokenResponse exchangeCode(Provider p, String clientId, String clientSecret, String code, String redirectUri, String codeVerifier) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.putAll(p.tokenParams());
        form.put("code", code);
        form.put("redirect_uri", redirectUri);
        TokenRequestAuth auth = TokenRequestAuth.of(p, clientId, clientSecret);
        form.putAll(auth.formFields());
        if (codeVerifier != null) {
            form.put("code_verifier", codeVerifier);
        }
        return post(p.tokenUrl(), form, auth.headers());
    }

    /** RFC 6749 §6. */
    public TokenResponse refresh(Provider p, String clientId, String clientSecret, String refreshToken) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "refresh_token");
        form.putAll(p.refreshParams());
        form.put("refresh_token", refreshToken);
        TokenRequestAuth auth = TokenRequestAuth.of(p, clientId, clientSecret);
        form.putAll(auth.formFields());
        return post(p.tokenUrl(), form, auth.headers());
    }

    TokenResponse post(String url, Map<String, String> form, Map<String, String> headers) {
        StringJoiner body = new StringJoiner("&");
        form.forEach((k, v) -> body.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Content-Type", "application/x-www-form-urlencoded");
        all.put("Accept", "application/json");
        all.put("User-Agent", Version.USER_AGENT);
        OutboundCall.Answer res = http.send(ROUTE, url, all, body.toString());
        if (res.failure() != null) {
            return new TokenResponse(TokenResponse.Kind.UNAVAILABLE, 0, null, null, null, null, res.failure(),
                    "timeout".equals(res.failure()) ? "token endpoint timed out" : "token endpoint unreachable");
        }
        return parse(res.status(), res.body());
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
