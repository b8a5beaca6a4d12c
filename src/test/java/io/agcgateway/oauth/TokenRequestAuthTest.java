package io.agcgateway.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.catalog.Provider;
import io.agcgateway.catalog.ProviderCatalog;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenRequestAuthTest {
    private static Provider provider(String extra) {
        String yaml = "p:\n    display_name: P\n    auth_mode: OAUTH2\n    authorization_url: https://a.example/authorize\n"
                + "    token_url: https://a.example/token\n    proxy: {base_url: https://api.example}\n" + extra;
        return ProviderCatalog.parse(List.of(Map.entry("test", yaml)), "http://localhost").get("p");
    }

    @Test
    void default_putsClientCredentialsInTheForm_andNoHeader() {
        TokenRequestAuth a = TokenRequestAuth.of(provider(""), "cid", "s3cret");
        assertThat(a.headers()).isEmpty();
        assertThat(a.formFields()).containsExactly(Map.entry("client_id", "cid"), Map.entry("client_secret", "s3cret"));
    }

    @Test
    void basic_sendsAuthorizationBasic_andNothingInTheForm() {
        TokenRequestAuth a = TokenRequestAuth.of(provider("    token_request_auth_method: basic\n"), "cid", "s3cret");
        assertThat(a.formFields()).isEmpty();
        assertThat(a.headers()).containsExactly(Map.entry("Authorization",
                "Basic " + Base64.getEncoder().encodeToString("cid:s3cret".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void basic_formEncodesIdAndSecret_soAColonInTheIdStaysInTheId() {
        // RFC 6749 §2.3.1 / Appendix B: application/x-www-form-urlencoded before joining with ':'
        String header = TokenRequestAuth.of(provider("    token_request_auth_method: basic\n"), "app:1", "a b+c/é").headers().get("Authorization");
        String pair = new String(Base64.getDecoder().decode(header.substring("Basic ".length())), StandardCharsets.UTF_8);
        assertThat(pair).isEqualTo("app%3A1:a+b%2Bc%2F%C3%A9");
    }
}
