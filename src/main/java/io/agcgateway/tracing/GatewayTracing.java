package io.agcgateway.tracing;

import io.agcgateway.http.Version;
import io.agcgateway.config.StartupException;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Traces (docs/OPERATIONS.md "Traces"): whether they are on, and the OpenTelemetry SDK that exports them, configured by
 * the standard {@code OTEL_*} variables through the SDK's autoconfigure module.
 * <p>
 * Off unless asked for, because an SDK with nothing configured would send OTLP to localhost:4318 from every node. On
 * when {@code gateway.tracing.enabled=true} or when {@code OTEL_TRACES_EXPORTER} names an exporter (what a user of the
 * OpenTelemetry agent types); {@code OTEL_SDK_DISABLED=true} keeps it off whatever else is set (the OTel spec's switch).
 */
public final class GatewayTracing {
    /** The decision and why: {@code on(otel_traces_exporter)}, {@code off(default)}. */
    public record Switch(boolean on, String reason) {
        @Override
        public String toString() {
            return (on ? "on(" : "off(") + reason + ")";
        }
    }

    private GatewayTracing() {
    }

    /**
     * @param gatewayFlag {@code gateway.tracing.enabled}
     * @param otel        OTel properties in their {@code otel.x.y} form, from {@link #otelProperties}
     */
    public static Switch decide(boolean gatewayFlag, Map<String, String> otel) {
        if ("true".equalsIgnoreCase(otel.getOrDefault("otel.sdk.disabled", "").trim())) {
            return new Switch(false, "otel_sdk_disabled");
        }
        if (gatewayFlag) {
            return new Switch(true, "gateway_tracing_enabled");
        }
        String exporter = otel.getOrDefault("otel.traces.exporter", "").trim();
        if (!exporter.isEmpty() && !exporter.equalsIgnoreCase("none")) {
            return new Switch(true, "otel_traces_exporter");
        }
        return new Switch(false, "default");
    }

    /**
     * The OTel settings as autoconfigure will see them, lowest first: the gateway's defaults, {@code otel.*} keys of
     * the gateway's settings (config file, test overrides), {@code OTEL_*} environment variables, {@code -Dotel.*}.
     */
    public static Map<String, String> otelProperties(Map<String, String> settings, Map<String, String> env) {
        Map<String, String> p = fallbacks(settings);
        env.forEach((k, v) -> {
            if (k.startsWith("OTEL_")) {
                p.put(k.toLowerCase(Locale.ROOT).replace('_', '.'), v);
            }
        });
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("otel."))
                .forEach(k -> p.put(k, System.getProperty(k)));
        return p;
    }

    /** What autoconfigure falls back to under the environment: the gateway's defaults, then its {@code otel.*} settings. */
    private static Map<String, String> fallbacks(Map<String, String> settings) {
        Map<String, String> p = new HashMap<>(defaults());
        settings.forEach((k, v) -> {
            if (k.startsWith("otel.")) {
                p.put(k, v);
            }
        });
        return p;
    }

    /**
     * Only traces are exported (metrics are Prometheus at /observe/metrics, logs are the log); only W3C trace context
     * is propagated: Camel marks its spans with a {@code camelScope} baggage entry that the baggage propagator would
     * send to the provider. OTLP over HTTP (the spec's default; the jar bundles the JDK HTTP sender, no gRPC one).
     * Each may be overridden with its {@code OTEL_*} variable.
     */
    static Map<String, String> defaults() {
        return Map.of(
                "otel.service.name", "agc-gateway",
                "otel.exporter.otlp.protocol", "http/protobuf",
                "otel.resource.attributes", "service.version=" + Version.get(),
                "otel.metrics.exporter", "none",
                "otel.logs.exporter", "none",
                "otel.propagators", "tracecontext");
    }

    /**
     * The SDK for the settings of {@link #otelProperties} (autoconfigure reads the environment and system properties
     * itself; the gateway's values only fill what they leave unset). Every exporter is wrapped in
     * {@link RedactingSpanExporter}. Not registered as the global OpenTelemetry: the gateway passes it to Camel.
     * A setting the SDK refuses stops startup with one line.
     */
    public static OpenTelemetrySdk sdk(Map<String, String> settings) {
        Map<String, String> fallback = fallbacks(settings);
        try {
            return AutoConfiguredOpenTelemetrySdk.builder()
                    .addPropertiesSupplier(() -> fallback)
                    .addSpanExporterCustomizer((exporter, config) -> new RedactingSpanExporter(exporter))
                    .disableShutdownHook()
                    .build()
                    .getOpenTelemetrySdk();
        } catch (ConfigurationException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new StartupException("tracing is on, and the OpenTelemetry settings (OTEL_* variables) are refused: "
                    + root.getMessage() + " (OTLP is sent over HTTP: OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf, port 4318; "
                    + "or OTEL_SDK_DISABLED=true to start without traces)");
        }
    }
}
