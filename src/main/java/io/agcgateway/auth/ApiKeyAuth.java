package io.agcgateway.auth;

import io.agcgateway.http.GatewayException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Secret-key check for the API (docs/ARCHITECTURE.md "API and errors"), with Nango's 401 codes and messages.
 * The comparison is on SHA-256 digests with MessageDigest.isEqual, so its time does not depend on
 * how many leading characters of a guess are right.
 */
public final class ApiKeyAuth implements Processor {
    private static final Pattern UUID_V4 =
            Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", Pattern.CASE_INSENSITIVE);

    private final byte[] expectedDigest;

    public ApiKeyAuth(String secretKey) {
        this.expectedDigest = digest(secretKey);
    }

    @Override
    public void process(Exchange exchange) {
        check(exchange.getMessage().getHeader("Authorization", String.class));
    }

    public void check(String header) {
        if (header == null || header.isBlank()) {
            throw new GatewayException(401, "missing_auth_header",
                    "Authentication failed. The request is missing the Authorization header.");
        }
        String h = header.strip();
        if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7) || h.substring(7).isBlank()) {
            throw new GatewayException(401, "malformed_auth_header", "Authentication failed. The Authorization header is malformed.");
        }
        String key = h.substring(7).strip();
        if (!UUID_V4.matcher(key).matches()) {
            throw new GatewayException(401, "invalid_secret_key_format", "Authentication failed. The provided secret key is not a UUID v4.");
        }
        if (!MessageDigest.isEqual(expectedDigest, digest(key.toLowerCase()))) {
            throw new GatewayException(401, "unknown_account",
                    "Authentication failed. The provided authorization header does not match any account.");
        }
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.toLowerCase().getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
