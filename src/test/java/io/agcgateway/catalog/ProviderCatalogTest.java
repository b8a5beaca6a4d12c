package io.agcgateway.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agcgateway.config.StartupException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProviderCatalogTest {
    private static String shipped() throws Exception {
        return Files.readString(Path.of("config/providers.yaml"));
    }

    private static ProviderCatalog parse(String... yamls) {
        List<Map.Entry<String, String>> sources = new java.util.ArrayList<>();
        for (int i = 0; i < yamls.length; i++) {
            sources.add(Map.entry("source" + i, yamls[i]));
        }
        return ProviderCatalog.parse(sources, "http://localhost:3003");
    }

    @Test
    void shippedCatalog_validates_withAgcAsDesigned() throws Exception {
        ProviderCatalog c = parse(shipped());
        Provider agc = c.get("atlassian-government-cloud");
        assertThat(agc.authorizationUrl()).isEqualTo("https://auth.atlassian-us-gov-mod.com/authorize");
        assertThat(agc.tokenUrl()).isEqualTo("https://auth.atlassian-us-gov-mod.com/oauth/token");
        assertThat(agc.authorizationParams()).containsEntry("audience", "api.atlassian-us-gov-mod.com").containsEntry("prompt", "consent");
        assertThat(agc.defaultScopes()).containsExactly("offline_access");
        assertThat(agc.proxyBaseUrl()).isEqualTo("https://api.atlassian-us-gov-mod.com");
        assertThat(agc.accessibleResourcesUrls()).containsExactly(
                "https://api.atlassian-us-gov-mod.com/oauth/token/accessible-resources",
                "https://auth.atlassian-us-gov-mod.com/oauth/token/accessible-resources");
        assertThat(agc.retryAtHeaders()).containsExactly("x-ratelimit-reset");
        assertThat(agc.connectionConfig().get("subdomain"))
                .containsEntry("pattern", "^[a-zA-Z0-9.-]+$").containsEntry("suffix", ".atlassian-us-gov-mod.net");
        Provider commercial = c.get("atlassian");
        assertThat(commercial.authorizationUrl()).isEqualTo("https://auth.atlassian.com/authorize");
        assertThat(commercial.proxyBaseUrl()).isEqualTo("https://api.atlassian.com");
    }

    @Test
    void sandboxCatalog_validates_withPublicUrlSubstituted() throws Exception {
        ProviderCatalog c = parse(shipped(), Files.readString(Path.of("config/providers-sandbox.yaml")));
        assertThat(c.get("atlassian-government-cloud-sandbox").tokenUrl()).isEqualTo("http://localhost:3003/sandbox/oauth/token");
    }

    @Test
    void overlay_replacesEntryOfSameKey() throws Exception {
        String overlay = """
                atlassian:
                    display_name: Atlassian (staging)
                    auth_mode: OAUTH2
                    authorization_url: https://auth.staging.example/authorize
                    token_url: https://auth.staging.example/oauth/token
                    proxy:
                        base_url: https://api.staging.example
                """;
        ProviderCatalog c = parse(shipped(), overlay);
        assertThat(c.get("atlassian").displayName()).isEqualTo("Atlassian (staging)");
        assertThat(c.get("atlassian-government-cloud")).isNotNull();
    }

    @Test
    void redirectHosts_areHostNames_aUrlIsRejected() throws Exception {
        assertThat(parse(shipped()).get("atlassian").redirectHosts()).containsExactly("api.media.atlassian.com");
        assertThatThrownBy(() -> parse("""
                p:
                    display_name: P
                    auth_mode: OAUTH2
                    authorization_url: https://a.example/authorize
                    token_url: https://a.example/token
                    proxy: {base_url: https://api.example, redirect_hosts: ['https://media.example/x']}
                """)).isInstanceOf(StartupException.class).hasMessageContaining("proxy.redirect_hosts");
    }

    @Test
    void missingTokenUrl_isRejectedNamingProviderAndField() {
        assertThatThrownBy(() -> parse("""
                p:
                    display_name: P
                    auth_mode: OAUTH2
                    authorization_url: https://a.example/authorize
                    proxy: {base_url: https://api.example}
                """)).isInstanceOf(StartupException.class).hasMessageContaining("'p'").hasMessageContaining("token_url");
    }

    @Test
    void unknownField_isRejected_asLikelyTypo() {
        assertThatThrownBy(() -> parse("""
                p:
                    display_name: P
                    auth_mode: OAUTH2
                    authorization_url: https://a.example/authorize
                    token_url: https://a.example/token
                    defualt_scopes: [x]
                    proxy: {base_url: https://api.example}
                """)).isInstanceOf(StartupException.class).hasMessageContaining("defualt_scopes");
    }

    @Test
    void nonHttpUrl_badPattern_badAuthMode_areRejected() {
        String base = """
                p:
                    display_name: P
                    auth_mode: %s
                    authorization_url: %s
                    token_url: https://a.example/token
                    proxy: {base_url: https://api.example}
                    connection_config: {subdomain: {type: string, pattern: '%s'}}
                """;
        assertThatThrownBy(() -> parse(base.formatted("OAUTH2", "javascript:alert(1)", "^x$"))).hasMessageContaining("authorization_url");
        assertThatThrownBy(() -> parse(base.formatted("OAUTH2", "https://a.example/a", "(["))).hasMessageContaining("pattern");
        assertThatThrownBy(() -> parse(base.formatted("API_KEY", "https://a.example/a", "^x$"))).hasMessageContaining("auth_mode");
    }

    @Test
    void invalidYaml_isRejected() {
        assertThatThrownBy(() -> parse("p: [unclosed")).isInstanceOf(StartupException.class).hasMessageContaining("YAML");
    }
}
