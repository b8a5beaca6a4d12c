package io.agcgateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.Gateway;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.connections.NewConnection;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.integrations.IntegrationStore;
import io.agcgateway.support.Http;
import io.agcgateway.tracing.MemorySpans;
import org.apache.camel.opentelemetry2.OpenTelemetryTracer;
import org.junit.jupiter.api.Test;

/**
 * Tracing off (the default), even with an exporter named in the gateway's settings: nothing is installed — no Camel
 * tracer, no SDK, no exporter — and a proxied call reaches the provider without a traceparent the gateway added.
 */
class TracingOffTest {

    @Test
    void byDefault_noTracerIsInstalled_noTraceparentIsAdded_andNothingIsExported() throws Exception {
        int exportersBefore = MemorySpans.created();
        try (FakeUpstream up = new FakeUpstream();
             // an otel.* fallback alone does not switch tracing on: only gateway.tracing.enabled or OTEL_TRACES_EXPORTER
             Gateway gw = up.gateway("otel.bsp.schedule.delay", "20")) {
            TokenCipher cipher = gw.bean("tokenCipher", TokenCipher.class);
            long integrationId = gw.bean("integrationStore", IntegrationStore.class).find("jira").id();
            gw.bean("connectionStore", ConnectionStore.class).insert(NewConnection.builder(integrationId, "u1")
                .accessTokenEnc(cipher.encrypt("tok-1", "access_token")).refreshTokenEnc(cipher.encrypt("rt-1", "refresh_token"))
                .expiresAt(System.currentTimeMillis() + 3_600_000L).connectionConfig("{}").build(), System.currentTimeMillis());

            Http.Res r = new Http(gw.baseUrl(), gw.secretKey()).send("GET", "/proxy/rest/api/3/myself", null,
                    "Provider-Config-Key", "jira", "Connection-Id", "u1");

            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().at("/headers").has("Traceparent")).as("traceparent upstream").isFalse();
            assertThat(r.header("traceparent")).as("traceparent in the answer").isNull();
            assertThat(gw.context().hasService(OpenTelemetryTracer.class)).as("Camel's tracer").isNull();
            assertThat(gw.context().getRegistry().lookupByName("tracer")).as("an OTel tracer bean").isNull();
            assertThat(gw.context().getRoutePolicyFactories()).as("route policies").noneMatch(f -> f instanceof OpenTelemetryTracer);
        }
        assertThat(MemorySpans.created()).as("span exporters made").isEqualTo(exportersBefore);
    }
}
