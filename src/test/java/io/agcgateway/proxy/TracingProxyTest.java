package io.agcgateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.Gateway;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.connections.NewConnection;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.integrations.IntegrationStore;
import io.agcgateway.support.Http;
import io.agcgateway.tracing.MemorySpans;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tracing on (otel.traces.exporter=memory, the SDK's own autoconfigure path): a proxied call that carries a caller's
 * traceparent and a secret in its query joins the caller's trace, its upstream call is a child of the api-proxy route's
 * span, the provider receives a traceparent naming that child, and no span carries a secret.
 */
class TracingProxyTest {
    static final AttributeKey<String> COMPONENT = AttributeKey.stringKey("component");
    static final AttributeKey<String> HTTP_URL = AttributeKey.stringKey("http.url");
    static final String TOKEN = "tok-" + UUID.randomUUID();

    static FakeUpstream up;
    static Gateway gw;

    @BeforeAll
    static void boot() throws Exception {
        up = new FakeUpstream();
        gw = up.gateway("gateway.tracing.enabled", "true", "otel.traces.exporter", "memory", "otel.bsp.schedule.delay", "20");
        TokenCipher cipher = gw.bean("tokenCipher", TokenCipher.class);
        long integrationId = gw.bean("integrationStore", IntegrationStore.class).find("jira").id();
        gw.bean("connectionStore", ConnectionStore.class).insert(NewConnection.builder(integrationId, "u1")
                .accessTokenEnc(cipher.encrypt(TOKEN, "access_token")).refreshTokenEnc(cipher.encrypt("rt-" + TOKEN, "refresh_token"))
                .expiresAt(System.currentTimeMillis() + 3_600_000L).connectionConfig("{\"cloudId\":\"cloud-123\"}").build(), System.currentTimeMillis());
    }

    @AfterAll
    static void shutdown() {
        gw.close();
        up.close();
    }

    @Test
    void proxiedCall_joinsCallersTrace_upstreamSpanIsChildOfRouteSpan_andNoSpanHoldsASecret() throws Exception {
        String traceId = UUID.randomUUID().toString().replace("-", "");
        String callerSpan = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        String querySecret = "qs-" + UUID.randomUUID();
        String clientSecret = "cs-" + UUID.randomUUID();
        Http.Res r = new Http(gw.baseUrl(), gw.secretKey()).send("GET",
                "/proxy/rest/api/3/myself?access_token=" + querySecret + "&client_secret=" + clientSecret + "&a=1", null,
                "Provider-Config-Key", "jira", "Connection-Id", "u1", "traceparent", "00-" + traceId + "-" + callerSpan + "-01");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode seen = r.json();
        assertThat(seen.at("/query").asText()).as("the query reaches the provider unchanged").contains(querySecret);
        String sent = seen.at("/headers/Traceparent").asText();
        assertThat(sent).as("traceparent upstream").matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01").startsWith("00-" + traceId + "-");

        List<SpanData> spans = MemorySpans.await(all -> all.stream().anyMatch(s -> isRouteSpan(s, traceId, callerSpan)));
        SpanData route = spans.stream().filter(s -> isRouteSpan(s, traceId, callerSpan)).findFirst().orElseThrow(
                () -> new AssertionError("no api-proxy span whose parent is the caller's span: " + MemorySpans.text(spans)));
        assertThat(route.getAttributes().get(COMPONENT)).isEqualTo("camel-platform-http");
        SpanData upstream = spans.stream().filter(s -> s.getParentSpanId().equals(route.getSpanId())
                && "camel-upstream".equals(s.getAttributes().get(COMPONENT))).findFirst().orElseThrow(
                () -> new AssertionError("no upstream span under the route's: " + MemorySpans.text(spans)));
        assertThat(upstream.getTraceId()).isEqualTo(traceId);
        assertThat(upstream.getName()).isEqualTo("GET");
        assertThat(sent).as("the provider's parent is the gateway's upstream span").endsWith("-" + upstream.getSpanId() + "-01");
        assertThat(upstream.getAttributes().get(HTTP_URL)).as("recorded, redacted")
                .isEqualTo(up.base() + "/up/rest/api/3/myself?access_token=REDACTED&client_secret=REDACTED&a=REDACTED");
        assertThat(route.getAttributes().get(HTTP_URL)).as("recorded, redacted")
                .isEqualTo(gw.baseUrl() + "/proxy/rest/api/3/myself?access_token=REDACTED&client_secret=REDACTED&a=REDACTED");

        String text = MemorySpans.text(spans);
        for (String secret : List.of(TOKEN, gw.secretKey(), querySecret, clientSecret)) {
            assertThat(text).as("a span holds secret " + secret.substring(0, 6) + "…").doesNotContain(secret);
        }
    }

    @Test
    void callWithoutTraceparent_startsATrace_andTheProviderJoinsIt() throws Exception {
        Http.Res r = new Http(gw.baseUrl(), gw.secretKey()).send("GET", "/proxy/rest/api/3/serverInfo", null,
                "Provider-Config-Key", "jira", "Connection-Id", "u1");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String sent = r.json().at("/headers/Traceparent").asText();
        // sampled (01), and with the SDK's random trace id also the W3C level-2 "random" flag (03)
        assertThat(sent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[13]");
        String traceId = sent.substring(3, 35);
        List<SpanData> spans = MemorySpans.await(all -> all.stream().filter(s -> s.getTraceId().equals(traceId)).count() >= 2);
        SpanData upstream = spans.stream().filter(s -> sent.contains("-" + s.getSpanId() + "-")).findFirst().orElseThrow(
                () -> new AssertionError("no span for the traceparent the provider got: " + MemorySpans.text(spans)));
        SpanData route = spans.stream().filter(s -> s.getSpanId().equals(upstream.getParentSpanId())).findFirst().orElseThrow();
        assertThat(route.getAttributes().get(COMPONENT)).isEqualTo("camel-platform-http");
        assertThat(route.getParentSpanContext().isValid()).as("the route's span is the trace's root").isFalse();
    }

    private static boolean isRouteSpan(SpanData s, String traceId, String callerSpan) {
        return s.getTraceId().equals(traceId) && s.getParentSpanId().equals(callerSpan);
    }
}
