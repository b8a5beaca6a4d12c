package io.agcgateway.auth;

import io.agcgateway.http.GatewayException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Secret-key check for the API (docs/ARCHITECTURE.md "API and errors"), with Nango's 401 codes and messages.
 * A presented key is compared only once it has the UUID v4 shape (36 ASCII characters, like the secret key), with
 * MessageDigest.isEqual: its time does not depend on how many leading characters of a guess are right. Every
 * proxied call runs this check, so it allocates little and uses neither a regex nor a digest (they were 1.5% of
 * a proxied call's CPU).
 */
public final class ApiKeyAuth implements Processor {
    private static final int UUID_LENGTH = 36;

    /** The secret key in lower case, ASCII. */
    private final byte[] expected;

    public ApiKeyAuth(String secretKey) {
        this.expected = lowerAscii(secretKey);
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
        if (!isUuidV4(key)) {
            throw new GatewayException(401, "invalid_secret_key_format", "Authentication failed. The provided secret key is not a UUID v4.");
        }
        if (!MessageDigest.isEqual(expected, lowerAscii(key))) {
            throw new GatewayException(401, "unknown_account",
                    "Authentication failed. The provided authorization header does not match any account.");
        }
    }

    /** xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx, hex digits in either case. */
    static boolean isUuidV4(String s) {
        if (s.length() != UUID_LENGTH) {
            return false;
        }
        for (int i = 0; i < UUID_LENGTH; i++) {
            char c = s.charAt(i);
            boolean ok = switch (i) {
                case 8, 13, 18, 23 -> c == '-';
                case 14 -> c == '4';
                case 19 -> "89abAB".indexOf(c) >= 0;
                default -> Character.digit(c, 16) >= 0 && c < 128;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static byte[] lowerAscii(String s) {
        return s.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    }
}
