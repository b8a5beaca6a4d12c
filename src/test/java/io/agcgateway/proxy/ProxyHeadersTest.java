package io.agcgateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProxyHeadersTest {
    static MultiMap in(String... kv) {
        MultiMap m = MultiMap.caseInsensitiveMultiMap();
        for (int i = 0; i < kv.length; i += 2) {
            m.add(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void hopByHop_control_andCallerCredentials_areNeverForwarded() {
        Map<String, Object> out = ProxyHeaders.forward(in("Connection", "keep-alive", "Transfer-Encoding", "chunked",
                "TE", "trailers", "Upgrade", "h2c", "Provider-Config-Key", "jira", "Connection-Id", "u1", "Retries", "2",
                "Authorization", "Bearer secret-key", "Cookie", "s=1", "Host", "evil", "Content-Length", "10",
                "Nango-Is-Sync", "true", "Accept", "application/json"));
        assertThat(out).containsOnlyKeys("Accept");
    }

    @Test
    void nangoProxyPrefix_forwardsTheHeader_andWinsOverThePlainOne() {
        Map<String, Object> out = ProxyHeaders.forward(in("X-Atlassian-Token", "plain", "Nango-Proxy-X-Atlassian-Token", "no-check",
                "Nango-Proxy-Authorization", "Basic abc", "Nango-Proxy-Host", "evil", "Nango-Proxy-Connection", "close"));
        assertThat(out).containsEntry("X-Atlassian-Token", "no-check").containsEntry("Authorization", "Basic abc")
                .doesNotContainKeys("Host", "Connection");
        assertThat(ProxyHeaders.callerAuthorization(out)).isTrue();
    }

    @Test
    void repeatedHeaders_stayRepeated() {
        assertThat(ProxyHeaders.forward(in("Accept", "a", "Accept", "b"))).containsEntry("Accept", List.of("a", "b"));
    }

    @Test
    void answers_dropHopByHopAndCors_keepTheRest() {
        assertThat(ProxyHeaders.relayed("Transfer-Encoding")).isFalse();
        assertThat(ProxyHeaders.relayed("Connection")).isFalse();
        assertThat(ProxyHeaders.relayed("Access-Control-Allow-Origin")).isFalse();
        assertThat(ProxyHeaders.relayed("CamelHttpResponseCode")).isFalse();
        assertThat(ProxyHeaders.relayed("X-RateLimit-Remaining")).isTrue();
        assertThat(ProxyHeaders.relayed("Content-Type")).isTrue();
    }
}
