package io.agcgateway.http.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestGuardTest {
    private final RequestGuard guard = new RequestGuard(1024, Duration.ofSeconds(30), 16384, List.of(
            RequestGuard.pathPattern("/proxy/*", true),
            RequestGuard.pathPattern("/sandbox/ex/jira/{cloudId}/_echo", true)));

    @Test
    void streamingRoutes_arePassedWithTheirParamsAndPrefix() {
        assertThat(guard.isStreamed("/proxy/rest/api/3/issue")).isTrue();
        assertThat(guard.isStreamed("/sandbox/ex/jira/abc-1/_echo/rest/x")).isTrue();
        assertThat(guard.isStreamed("/sandbox/ex/jira/abc-1/_echo")).isTrue();
    }

    @Test
    void apiRoutes_areGuarded() {
        assertThat(guard.isStreamed("/connect/sessions")).isFalse();
        assertThat(guard.isStreamed("/proxy")).isFalse();
        assertThat(guard.isStreamed("/sandbox/ex/jira/a/b/_echo")).isFalse();
        assertThat(guard.isStreamed("/xproxy/a")).isFalse();
        assertThat(guard.isStreamed(null)).isFalse();
    }

    @Test
    void exactPath_matchesOnlyItself() {
        var p = RequestGuard.pathPattern("/connections/{id}", false);
        assertThat(p.matcher("/connections/c1").matches()).isTrue();
        assertThat(p.matcher("/connections/c1/metadata").matches()).isFalse();
    }
}
