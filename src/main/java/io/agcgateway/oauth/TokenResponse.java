package io.agcgateway.oauth;

import java.util.Map;

/**
 * What a provider's token endpoint said, classified the way refresh rules need it (google-oauth-java-client style):
 * 2xx with an access token = ok; 4xx = rejected (revoked or misconfigured: stop, re-authorise);
 * 5xx, timeouts and network errors = unavailable (transient: keep the tokens, retry later).
 */
public record TokenResponse(Kind kind, int httpStatus, String accessToken, String refreshToken, Long expiresIn,
                            Map<String, Object> raw, String error, String errorDescription) {
    public enum Kind { OK, REJECTED, UNAVAILABLE }

    public boolean ok() {
        return kind == Kind.OK;
    }

    /** A short, secret-free reason for logs and errors, e.g. "invalid_grant (403)". */
    public String reason() {
        return switch (kind) {
            case OK -> "ok";
            case REJECTED -> (error == null ? "rejected" : error) + " (" + httpStatus + ")";
            case UNAVAILABLE -> error == null ? "unavailable" : error;
        };
    }
}
