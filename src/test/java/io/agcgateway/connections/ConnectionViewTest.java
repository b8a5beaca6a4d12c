package io.agcgateway.connections;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectionViewTest {
    @Test
    void stripRefreshTokens_removesEverySpellingAtAnyDepth() {
        Map<String, Object> in = Map.of("refresh_token", "a", "refreshToken", "b", "nested", Map.of("Refresh-Token", "c", "keep", 1),
                "list", List.of(Map.of("REFRESH_TOKEN", "d")), "access_token", "e");
        Map<String, Object> out = ConnectionView.stripRefreshTokens(in);
        assertThat(out).containsOnlyKeys("nested", "list", "access_token");
        assertThat(out.toString()).doesNotContain("=a").doesNotContain("=b").doesNotContain("=c").doesNotContain("=d");
    }

    @Test
    void connectionTimestamps_useNangosPlusZeroOffset() {
        assertThat(ConnectionView.ts(0)).isEqualTo("1970-01-01T00:00:00.000+00:00");
        assertThat(ConnectionView.ts(1_767_323_045_678L)).isEqualTo("2026-01-02T03:04:05.678+00:00");
    }
}
