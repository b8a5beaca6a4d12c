package io.agcgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What {@link Redact#text} removes, and what it leaves alone (its cheap pre-checks must not skip a secret). */
class RedactTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/rest/api/3/search?maxResults=10|/rest/api/3/search?maxResults=10",
        "/cb?code=abc123&state=s|/cb?code=REDACTED&state=s",
        "/cb?CODE=abc123|/cb?CODE=REDACTED",
        "/x?a=1&Access_Token=tok.en-1&b=2|/x?a=1&Access_Token=REDACTED&b=2",
        "/x?xcode=abc|/x?xcode=REDACTED",
        "/x?code_verifier=v1|/x?code_verifier=REDACTED",
        "/x?connect_session_token=nango_connect_session_1|/x?connect_session_token=REDACTED",
        "/x?password=p&client_secret=s|/x?password=REDACTED&client_secret=REDACTED",
        "/x?codex=1&tokens=2|/x?codex=1&tokens=2",
        "=leading|=leading",
        "Authorization: Bearer eyJ.abc-def|Authorization: Bearer REDACTED",
        "bearer   t0k|bearer   REDACTED",
        "{\"access_token\":\"at\",\"n\":1}|{\"access_token\":\"REDACTED\",\"n\":1}",
        "{\"refresh_token\" : \"rt\"}|{\"refresh_token\" : \"REDACTED\"}",
        "nothing to see|nothing to see",
    })
    void redacts(String in, String out) {
        assertThat(Redact.text(in)).isEqualTo(out);
    }
}
