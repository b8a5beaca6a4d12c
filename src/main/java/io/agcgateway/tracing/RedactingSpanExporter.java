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
 * attribute, and a URL attribute ({@code http.url}, {@code url.full}) keeps its query's parameter names but none of
 * their values ({@link #url}): spans go to another system, and a caller may put a credential in any parameter, not only
 * in the ones Redact knows. The span decorators record URLs the same way; this also covers what Camel's own decorators
 * record (an exception's message as an event, a {@code log} EIP line). Runs on the exporter's thread, never a route's.
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

    /** {@code https://h/p?a=1&b} → {@code https://h/p?a=REDACTED&b}: every value of the query, and Redact over the rest. */
    public static String url(String url) {
        if (url == null) {
            return null;
        }
        int q = url.indexOf('?');
        if (q < 0) {
            return Redact.text(url);
        }
        int fragment = url.indexOf('#', q);
        String query = fragment < 0 ? url.substring(q + 1) : url.substring(q + 1, fragment);
        StringBuilder b = new StringBuilder(Redact.text(url.substring(0, q))).append('?');
        String sep = "";
        for (String param : query.split("&", -1)) {
            int eq = param.indexOf('=');
            b.append(sep).append(eq < 0 ? param : param.substring(0, eq + 1) + "REDACTED");
            sep = "&";
        }
        return b.toString();
    }

    /** The same instance when nothing needed redacting. */
    @SuppressWarnings("unchecked")
    static Attributes redact(Attributes attributes) {
        AttributesBuilder[] builder = new AttributesBuilder[1];
        attributes.forEach((key, value) -> {
            if (key.getType() == AttributeType.STRING && value instanceof String s) {
                String r = key.getKey().equals("http.url") || key.getKey().equals("url.full") ? url(s) : Redact.text(s);
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
