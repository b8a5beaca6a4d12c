package io.agcgateway.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** When traces are on, and why (GatewayTracing.decide): the gateway's switch, OTEL_TRACES_EXPORTER, OTEL_SDK_DISABLED. */
class TracingSwitchTest {

    @Test
    void nothingSet_isOff() {
        assertThat(GatewayTracing.decide(false, GatewayTracing.otelProperties(Map.of(), Map.of())))
                .isEqualTo(new GatewayTracing.Switch(false, "default"));
    }

    @Test
    void gatewayFlag_isOn() {
        assertThat(GatewayTracing.decide(true, Map.of())).isEqualTo(new GatewayTracing.Switch(true, "gateway_tracing_enabled"));
    }

    @Test
    void otelTracesExporterInTheEnvironment_isOn() {
        Map<String, String> otel = GatewayTracing.otelProperties(Map.of(), Map.of("OTEL_TRACES_EXPORTER", "otlp"));
        assertThat(GatewayTracing.decide(false, otel)).isEqualTo(new GatewayTracing.Switch(true, "otel_traces_exporter"));
    }

    @Test
    void otelTracesExporterNone_isOff() {
        Map<String, String> otel = GatewayTracing.otelProperties(Map.of(), Map.of("OTEL_TRACES_EXPORTER", "none"));
        assertThat(GatewayTracing.decide(false, otel).on()).isFalse();
    }

    @Test
    void otelSdkDisabled_winsOverBothSwitches() {
        Map<String, String> otel = GatewayTracing.otelProperties(Map.of(),
                Map.of("OTEL_TRACES_EXPORTER", "otlp", "OTEL_SDK_DISABLED", "true"));
        assertThat(GatewayTracing.decide(true, otel)).isEqualTo(new GatewayTracing.Switch(false, "otel_sdk_disabled"));
    }

    @Test
    void environmentBeatsTheGatewaysOtelSettings_whichBeatTheDefaults() {
        Map<String, String> otel = GatewayTracing.otelProperties(
                Map.of("otel.service.name", "from-config", "otel.traces.exporter", "console", "gateway.port", "1"),
                Map.of("OTEL_SERVICE_NAME", "from-env", "PATH", "/bin"));
        assertThat(otel).containsEntry("otel.service.name", "from-env").containsEntry("otel.traces.exporter", "console")
                .containsEntry("otel.propagators", "tracecontext").doesNotContainKeys("gateway.port", "path");
    }

    @ParameterizedTest
    @ValueSource(strings = {"otlp", "console", "none"})
    void sdk_buildsForEachDocumentedExporter_withTheJarsOwnSenders(String exporter) {
        // otlp needs an HTTP sender on the classpath: the JDK one, OkHttp is excluded from the build
        try (OpenTelemetrySdk sdk = GatewayTracing.sdk(Map.of("otel.traces.exporter", exporter,
                "otel.exporter.otlp.endpoint", "http://127.0.0.1:1"))) {
            assertThat(sdk.getSdkTracerProvider().toString()).contains("agc-gateway");
            assertThat(sdk.getPropagators().getTextMapPropagator().fields()).containsExactly("traceparent", "tracestate");
        }
    }

    @Test
    void sdk_refusingASetting_stopsStartupWithOneLine() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> GatewayTracing.sdk(Map.of("otel.traces.exporter", "otlp",
                        "otel.exporter.otlp.protocol", "grpc")))
                .isInstanceOf(io.agcgateway.config.StartupException.class)
                .hasMessageContaining("OTEL_").hasMessageContaining("http/protobuf");
    }
}
