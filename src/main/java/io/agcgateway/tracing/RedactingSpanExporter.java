package io.agcgateway.tracing;

import io.agcgateway.http.Redact;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributeType;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.DelegatingSpanData;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The last stop before a span leaves the node: {@link Redact} over its name, every string attribute and every event
 * attribute. The span decorators already record redacted URLs; this also covers what Camel's own decorators record
 * (an exception's message as an event, a {@code log} EIP line, a query in an endpoint URI). Runs on the exporter's
 * thread, never on a route's.
 */
final class RedactingSpanExporter implements SpanExporter {
    private final SpanExporter delegate;

    RedactingSpanExporter(SpanExporter delegate) {
        this.delegate = delegate;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        List<SpanData> out = new ArrayList<>(spans.size());
        for (SpanData s : spans) {
            out.add(redact(s));
        }
        return delegate.export(out);
    }

    static SpanData redact(SpanData span) {
        String name = Redact.text(span.getName());
        Attributes attributes = redact(span.getAttributes());
        List<EventData> events = new ArrayList<>(span.getEvents().size());
        boolean eventsChanged = false;
        for (EventData e : span.getEvents()) {
            Attributes a = redact(e.getAttributes());
            String eventName = Redact.text(e.getName());
            if (a != e.getAttributes() || !eventName.equals(e.getName())) {
                eventsChanged = true;
                events.add(EventData.create(e.getEpochNanos(), eventName, a, e.getTotalAttributeCount()));
            } else {
                events.add(e);
            }
        }
        if (name.equals(span.getName()) && attributes == span.getAttributes() && !eventsChanged) {
            return span;
        }
        List<EventData> redactedEvents = eventsChanged ? List.copyOf(events) : span.getEvents();
        return new DelegatingSpanData(span) {
            @Override
            public String getName() {
                return name;
            }

            @Override
            public Attributes getAttributes() {
                return attributes;
            }

            @Override
            public List<EventData> getEvents() {
                return redactedEvents;
            }
        };
    }

    /** The same instance when nothing needed redacting. */
    @SuppressWarnings("unchecked")
    static Attributes redact(Attributes attributes) {
        AttributesBuilder[] builder = new AttributesBuilder[1];
        attributes.forEach((key, value) -> {
            if (key.getType() == AttributeType.STRING && value instanceof String s) {
                String r = Redact.text(s);
                if (!r.equals(s)) {
                    if (builder[0] == null) {
                        builder[0] = attributes.toBuilder();
                    }
                    builder[0].put((AttributeKey<String>) key, r);
                }
            }
        });
        return builder[0] == null ? attributes : builder[0].build();
    }

    @Override
    public CompletableResultCode flush() {
        return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
        return delegate.shutdown();
    }

    @Override
    public String toString() {
        return "RedactingSpanExporter{" + delegate + "}";
    }
}
