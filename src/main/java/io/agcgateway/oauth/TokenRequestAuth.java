package io.agcgateway.oauth;

import io.agcgateway.catalog.Provider;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the client authenticates at a provider's token endpoint (RFC 6749 §2.3.1), for the code exchange and the refresh
 * alike: by default {@code client_id} and {@code client_secret} in the form body (Nango's default, what Atlassian
 * documents); with the catalog's {@code token_request_auth_method: basic}, an HTTP Basic {@code Authorization} header
 * and neither in the body. Pure.
 */
public record TokenRequestAuth(Map<String, String> headers, Map<String, String> formFields) {

    public static TokenRequestAuth of(Provider provider, String clientId, String clientSecret) {
        if (provider.tokenRequestAuthBasic()) {
            // §2.3.1: each part is form-urlencoded (Appendix B) before the pair is joined, so a ':' in the id survives
            String pair = encode(clientId) + ":" + encode(clientSecret);
            return new TokenRequestAuth(Map.of("Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8))), Map.of());
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("client_id", clientId);
        form.put("client_secret", clientSecret);
        return new TokenRequestAuth(Map.of(), form);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
