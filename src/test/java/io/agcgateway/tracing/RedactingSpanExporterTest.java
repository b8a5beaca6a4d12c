package io.agcgateway.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whatever a decorator recorded, a span leaves the node with its credentials redacted (name, attributes, events). */
class RedactingSpanExporterTest {

    private static List<SpanData> export(String name, Attributes attributes, String eventMessage) {
        InMemorySpanExporter memory = InMemorySpanExporter.create();
        // read before close: shutting the provider down empties the in-memory exporter
        try (SdkTracerProvider provider = SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(new RedactingSpanExporter(memory))).build()) {
            var span = provider.get("test").spanBuilder(name).setAllAttributes(attributes).startSpan();
            span.addEvent("error", Attributes.of(AttributeKey.stringKey("message"), eventMessage));
            span.end();
            return memory.getFinishedSpanItems();
        }
    }

    @Test
    void secretsInNameAttributesAndEvents_areRedacted() {
        List<SpanData> spans = export("GET /x?access_token=s1", Attributes.of(
                AttributeKey.stringKey("http.url"), "https://h/p?client_secret=s2&a=1",
                AttributeKey.longKey("http.status_code"), 200L), "refused: Bearer s3");
        String text = MemorySpans.text(spans);
        assertThat(text).doesNotContain("s1").doesNotContain("s2").doesNotContain("s3")
                .contains("https://h/p?client_secret=REDACTED&a=REDACTED").contains("Bearer REDACTED");
        assertThat(spans.get(0).getAttributes().get(AttributeKey.longKey("http.status_code"))).isEqualTo(200L);
    }

    @Test
    void url_keepsParameterNames_dropsEveryValue() {
        assertThat(RedactingSpanExporter.url("http://h:1/p/q?jql=project%3DX&flag&bogus=s&x=#frag"))
                .isEqualTo("http://h:1/p/q?jql=REDACTED&flag&bogus=REDACTED&x=REDACTED");
        assertThat(RedactingSpanExporter.url("http://h/p")).isEqualTo("http://h/p");
    }

    @Test
    void spanWithoutSecrets_isExportedAsItIs() {
        List<SpanData> spans = export("GET", Attributes.of(AttributeKey.stringKey("http.url"), "https://h/p"), "nothing");
        assertThat(spans.get(0).getAttributes().get(AttributeKey.stringKey("http.url"))).isEqualTo("https://h/p");
        assertThat(spans.get(0).getClass().getSimpleName()).doesNotContain("Delegating");
    }
}
