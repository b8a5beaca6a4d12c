package io.agcgateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agcgateway.http.GatewayException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProxyPathTest {
    static final Map<String, Object> CONFIG = Map.of("cloudId", "abc-123", "odd", "a b&c", "slashy", "a/../b", "site", Map.of("name", "acme"));

    @ParameterizedTest
    @ValueSource(strings = {"/ex/{connectionConfig.cloudId}/x", "/ex/${connectionConfig.cloudId}/x", "/ex/%7BconnectionConfig.cloudId%7D/x",
            "/ex/%24%7BconnectionConfig.cloudId%7D/x", "/ex/%7bconnectionConfig.cloudId%7d/x"})
    void placeholders_inEveryEncoding_areFilled(String raw) {
        assertThat(ProxyPath.resolve(raw, CONFIG)).isEqualTo("/ex/abc-123/x");
    }

    @Test
    void nestedKeys_areFilled() {
        assertThat(ProxyPath.resolve("/s/{connectionConfig.site.name}", CONFIG)).isEqualTo("/s/acme");
    }

    @Test
    void filledValues_areEncoded_soTheyCannotAddSegments() {
        assertThat(ProxyPath.resolve("/s/{connectionConfig.odd}/x", CONFIG)).isEqualTo("/s/a%20b%26c/x");
        assertThatThrownBy(() -> ProxyPath.resolve("/s/{connectionConfig.slashy}/x", CONFIG)).isInstanceOf(GatewayException.class);
    }

    @Test
    void missingKey_is400NamingIt() {
        assertThatThrownBy(() -> ProxyPath.resolve("/s/{connectionConfig.nope}", CONFIG))
                .isInstanceOf(GatewayException.class).hasMessageContaining("connectionConfig.nope");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a/../b", "/a/..", "/./a", "/a/%2e%2e/b", "/a/%2E%2e", "/a/.%2e/b", "/a/%252e%252e/b", "/a%2fb", "/a%2Fb",
            "//evil.example/x", "/a//b", "/a\\b", "/a%5Cb", "/a%0d%0ab", "/a b", "/", "", "a/b", "/a/%25%32%65%25%32%65/b"})
    void unsafePaths_areRejected(String raw) {
        assertThatThrownBy(() -> ProxyPath.resolve(raw, CONFIG)).isInstanceOf(GatewayException.class)
                .satisfies(e -> assertThat(((GatewayException) e).code()).isEqualTo("invalid_proxy_path"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/rest/api/3/search", "/a/", "/a/b%20c", "/a/..b", "/a/b..", "/a/.well-known", "/a/%zz"})
    void ordinaryPaths_passUnchanged(String raw) {
        assertThat(ProxyPath.resolve(raw, CONFIG)).isEqualTo(raw);
    }
}
