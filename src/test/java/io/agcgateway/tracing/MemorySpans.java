package io.agcgateway.tracing;

import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.traces.ConfigurableSpanExporterProvider;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * {@code otel.traces.exporter=memory}: the gateway's own autoconfigure path with an {@link InMemorySpanExporter} at
 * its end (behind the gateway's {@link RedactingSpanExporter}). Each SDK gets a fresh one: a closed gateway shuts its
 * exporter down. Registered in src/test/resources/META-INF/services.
 */
public final class MemorySpans implements ConfigurableSpanExporterProvider {
    private static volatile InMemorySpanExporter last;
    private static final AtomicInteger CREATED = new AtomicInteger();

    @Override
    public SpanExporter createExporter(ConfigProperties config) {
        InMemorySpanExporter e = InMemorySpanExporter.create();
        last = e;
        CREATED.incrementAndGet();
        return e;
    }

    @Override
    public String getName() {
        return "memory";
    }

    /** How many exporters were made so far in this JVM (one per gateway started with tracing on). */
    public static int created() {
        return CREATED.get();
    }

    /** The exported spans once one matches {@code until} (the batch processor exports every few ms), within 10 s. */
    public static List<SpanData> await(Predicate<List<SpanData>> until) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            InMemorySpanExporter e = last;
            List<SpanData> spans = e == null ? List.of() : e.getFinishedSpanItems();
            if (until.test(spans)) {
                return spans;
            }
            Thread.sleep(20);
        }
        InMemorySpanExporter e = last;
        return e == null ? List.of() : e.getFinishedSpanItems();
    }

    /** Every span's name, attributes and events as one text, for searching a secret in. */
    public static String text(List<SpanData> spans) {
        StringBuilder b = new StringBuilder();
        for (SpanData s : spans) {
            b.append(s.getName()).append(' ').append(s.getAttributes()).append(' ').append(s.getEvents()).append('\n');
        }
        return b.toString();
    }
}
