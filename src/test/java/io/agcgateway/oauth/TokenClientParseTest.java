package io.agcgateway.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What each token-endpoint answer means for a connection (issue 16 item 3): OK, REJECTED (re-consent) or UNAVAILABLE. */
class TokenClientParseTest {
    @ParameterizedTest(name = "{0} {1} -> {2} {3}")
    @CsvSource(delimiter = '|', value = {
        "200|{\"access_token\":\"at\",\"refresh_token\":\"rt\",\"expires_in\":3600}|OK|",
        "200|{\"access_token\":\"at\"}|OK|",
        "200|{\"token_type\":\"Bearer\"}|REJECTED|unable_to_parse_token_response",
        "200|{\"access_token\":null}|REJECTED|unable_to_parse_token_response",
        "200||REJECTED|unable_to_parse_token_response",
        "400|{\"error\":\"invalid_grant\",\"error_description\":\"Unknown or invalid refresh token.\"}|REJECTED|invalid_grant",
        "401|{\"error\":\"access_denied\"}|REJECTED|access_denied",
        "403|{\"error\":\"unauthorized_client\",\"error_description\":\"refresh_token is invalid\"}|REJECTED|unauthorized_client",
        "403|{}|REJECTED|http_403",
        "429|{\"error\":\"too_many_requests\"}|UNAVAILABLE|http_429",
        "500|{\"error\":\"server_error\"}|UNAVAILABLE|http_500",
        "503||UNAVAILABLE|http_503",
        "200|<html><body>Maintenance</body></html>|UNAVAILABLE|http_200",
        "302|<html>moved</html>|UNAVAILABLE|http_302",
        "403|<html><h1>Request blocked</h1></html>|UNAVAILABLE|http_403",
    })
    void parse(int status, String body, TokenResponse.Kind kind, String error) {
        TokenResponse r = TokenClient.parse(status, body);
        assertThat(r.kind()).isEqualTo(kind);
        assertThat(r.httpStatus()).isEqualTo(status);
        assertThat(r.error()).isEqualTo(error);
        if (kind == TokenResponse.Kind.OK) {
            assertThat(r.accessToken()).isEqualTo("at");
            assertThat(r.refreshToken()).isEqualTo(body.contains("refresh_token") ? "rt" : null);
            assertThat(r.expiresIn()).isEqualTo(body.contains("expires_in") ? 3600L : null);
        } else {
            assertThat(r.accessToken()).isNull();
            assertThat(r.reason()).doesNotContain("at\"").isNotBlank();
        }
    }
}
