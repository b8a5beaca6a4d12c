package io.agcgateway.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agcgateway.config.StartupException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
        assertThat(agc.retryHeaders().at()).containsExactly("x-ratelimit-reset");
        assertThat(agc.disablePkce()).isFalse();
        assertThat(agc.tokenRequestAuthBasic()).isFalse();
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

    private static final String ENTRY = """
            p:
                display_name: P
                auth_mode: OAUTH2
                authorization_url: https://a.example/authorize
                token_url: https://a.example/token
            %s
                proxy:
                    base_url: https://api.example
            %s
            """;

    /** An entry with {@code top} added at the entry's level and {@code proxy} under proxy (each line indented by the caller). */
    private static ProviderCatalog entry(String top, String proxy) {
        return parse(ENTRY.formatted(top, proxy));
    }

    @Test
    void catalogOrder_isFileOrder_andAnOverlayReplacementKeepsItsPlace() throws Exception {
        String overlay = """
                zeta:
                    display_name: Z
                    auth_mode: OAUTH2
                    authorization_url: https://z.example/authorize
                    token_url: https://z.example/token
                    proxy: {base_url: https://api.z.example}
                atlassian-government-cloud:
                    display_name: AGC (staging)
                    auth_mode: OAUTH2
                    authorization_url: https://auth.staging.example/authorize
                    token_url: https://auth.staging.example/oauth/token
                    proxy: {base_url: https://api.staging.example}
                """;
        assertThat(parse(shipped(), overlay).all()).extracting(Provider::name)
                .containsExactly("atlassian-government-cloud", "atlassian", "zeta");
    }

    @Test
    void implementedNangoKeys_areRead() {
        Provider p = entry("    disable_pkce: true\n    token_request_auth_method: basic", """
                        headers:
                            X-Atlassian-Token: no-check
                            X-Site: 'site-${connectionConfig.cloudId}'
                        retry:
                            at: [x-ratelimit-reset]
                            after: [retry-after, x-wait]
                """).get("p");
        assertThat(p.disablePkce()).isTrue();
        assertThat(p.tokenRequestAuthBasic()).isTrue();
        assertThat(p.proxyHeaders()).containsExactly(java.util.Map.entry("X-Atlassian-Token", "no-check"),
                java.util.Map.entry("X-Site", "site-${connectionConfig.cloudId}"));
        assertThat(p.retryHeaders()).isEqualTo(new RetryHeaders(List.of("x-ratelimit-reset"), List.of("retry-after", "x-wait")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"token_expiration_buffer: 300", "body_format: json", "post_connection_script: jiraPostConnection"})
    void unimplementedNangoKey_stopsStartup_namingFileProviderAndKey(String line) {
        String key = line.substring(0, line.indexOf(':'));
        assertThatThrownBy(() -> entry("    " + line, "")).isInstanceOf(StartupException.class)
                .hasMessageStartingWith("provider catalog source0: provider 'p' field " + key + " ")
                .hasMessageContaining("does not implement").hasMessageNotContaining("\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"query: {api_key: x}", "connection_config: {subdomain: x}", "retry: {in_body: 'wait (\\d+)'}",
            "retry: {error_code: ['403']}", "retry: {remaining: x-ratelimit-remaining}"})
    void unimplementedNangoProxyKey_stopsStartup_namingIt(String line) {
        String key = line.startsWith("retry") ? "proxy.retry." + line.substring(8, line.indexOf(':', 8)) : "proxy." + line.substring(0, line.indexOf(':'));
        assertThatThrownBy(() -> entry("", "        " + line)).isInstanceOf(StartupException.class)
                .hasMessageContaining("'p' field " + key + " ").hasMessageContaining("does not implement");
    }

    @Test
    void unknownProxyOrRetryKey_isRejected_asLikelyTypo() {
        assertThatThrownBy(() -> entry("", "        retry: {aftr: [x]}")).hasMessageContaining("proxy.retry.aftr is not a known field");
        assertThatThrownBy(() -> entry("", "        header: {X-A: b}")).hasMessageContaining("proxy.header is not a known field");
    }

    @Test
    void badValuesOfImplementedKeys_areRejected() {
        assertThatThrownBy(() -> entry("    token_request_auth_method: custom", "")).hasMessageContaining("token_request_auth_method must be basic");
        assertThatThrownBy(() -> entry("    disable_pkce: 'yes'", "")).hasMessageContaining("disable_pkce must be true or false");
        assertThatThrownBy(() -> entry("", "        headers: {authorization: Bearer x}"))
                .hasMessageContaining("proxy.headers.authorization is set by the gateway");
        assertThatThrownBy(() -> entry("", "        headers: {Host: x}")).hasMessageContaining("proxy.headers.Host");
        assertThatThrownBy(() -> entry("", "        headers: {'X A': b}")).hasMessageContaining("not a valid header name");
        assertThatThrownBy(() -> entry("", "        headers: {X-A: \"a\\r\\nX-B: c\"}")).hasMessageContaining("without control characters");
        assertThatThrownBy(() -> entry("", "        headers: {X-A: 5}")).hasMessageContaining("must be a string");
    }

    @Test
    void headerInterpolation_otherThanConnectionConfig_isRejectedAtStartup() {
        assertThatThrownBy(() -> entry("", "        headers: {X-Key: '${credentials.apiKey}'}")).isInstanceOf(StartupException.class)
                .hasMessageContaining("proxy.headers.X-Key may interpolate only ${connectionConfig.<key>}");
        assertThatThrownBy(() -> entry("", "        headers: {X-Key: '${connectionConfig}'}")).hasMessageContaining("X-Key");
    }
}
