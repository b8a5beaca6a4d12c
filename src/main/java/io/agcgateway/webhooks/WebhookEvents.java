package io.agcgateway.webhooks;

import io.agcgateway.connections.AuthEvents;
import io.agcgateway.connections.Connection;
import io.agcgateway.http.Json;
import io.agcgateway.logs.Operation;
import io.agcgateway.logs.OperationLog;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns auth events into Nango's `auth` webhook body (keys sorted, undefined omitted, as Nango's stringifyStable)
 * and hands it to the bounded seda queue of route webhooks. Never blocks and never throws into the flow.
 */
public final class WebhookEvents implements AuthEvents {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookEvents.class);

    /** One queued delivery; {@code body} is the exact bytes that are signed and sent. */
    public record Message(String url, String body, String action, String integrationKey, String connectionId) {
    }

    private final String defaultUrl;
    private final Supplier<CamelContext> context;
    private final OperationLog log;
    private final Clock clock;
    private volatile ProducerTemplate producer;

    public WebhookEvents(String defaultUrl, Supplier<CamelContext> context, OperationLog log, Clock clock) {
        this.defaultUrl = defaultUrl == null || defaultUrl.isBlank() ? null : defaultUrl;
        this.context = context;
        this.log = log;
        this.clock = clock;
    }

    @Override
    public void authorized(Connection c, boolean created) {
        Map<String, Object> b = base(c.connectionId(), c.integrationKey(), c.provider(), created ? "creation" : "override", true);
        endUser(b, c);
        enqueue(c.webhookUrlOverride(), b, "connection_create", c.integrationKey(), c.connectionId());
    }

    @Override
    public void authorizationFailed(String integrationKey, String provider, String connectionId, String webhookUrlOverride,
                                    Failure failure) {
        Map<String, Object> b = base(connectionId, integrationKey, provider, "creation", false);
        b.put("error", error(failure.type(), failure.description()));
        enqueue(webhookUrlOverride, b, "connection_create", integrationKey, connectionId);
    }

    @Override
    public void refreshFailed(Connection c, String errorType, String description) {
        Map<String, Object> b = base(c.connectionId(), c.integrationKey(), c.provider(), "refresh", false);
        b.put("error", error(errorType, description));
        endUser(b, c);
        enqueue(c.webhookUrlOverride(), b, "connection_refresh", c.integrationKey(), c.connectionId());
    }

    @Override
    public void refreshRecovered(Connection c) {
        Map<String, Object> b = base(c.connectionId(), c.integrationKey(), c.provider(), "refresh", true);
        endUser(b, c);
        enqueue(c.webhookUrlOverride(), b, "connection_refresh", c.integrationKey(), c.connectionId());
    }

    static Map<String, Object> base(String connectionId, String key, String provider, String operation, boolean success) {
        Map<String, Object> b = new TreeMap<>();
        b.put("authMode", "OAUTH2");
        b.put("connectionId", connectionId);
        b.put("environment", "prod");
        b.put("from", "nango");
        b.put("operation", operation);
        b.put("provider", provider);
        b.put("providerConfigKey", key);
        b.put("success", success);
        b.put("type", "auth");
        return b;
    }

    private static Map<String, Object> error(String type, String description) {
        Map<String, Object> e = new TreeMap<>();
        e.put("description", description);
        e.put("type", type);
        return e;
    }

    /** Nango's endUser block: endUserId, endUserEmail?, organizationId?, tags; and the connection tags when set. */
    private static void endUser(Map<String, Object> b, Connection c) {
        if (c.endUser() != null) {
            Map<String, Object> eu = Json.toMap(Json.read(c.endUser()));
            Map<String, Object> out = new TreeMap<>();
            out.put("endUserId", eu.get("id"));
            if (eu.get("email") != null) {
                out.put("endUserEmail", eu.get("email"));
            }
            if (eu.get("organization") instanceof Map<?, ?> org && org.get("id") != null) {
                out.put("organizationId", org.get("id"));
            }
            out.put("tags", eu.get("tags") instanceof Map<?, ?> t ? new TreeMap<>(t) : Map.of());
            b.put("endUser", out);
        }
        if (c.tags() != null) {
            Map<String, Object> tags = Json.toMap(Json.read(c.tags()));
            if (tags != null) {
                b.put("tags", new TreeMap<>(tags));
            }
        }
    }

    private void enqueue(String override, Map<String, Object> body, String action, String key, String connectionId) {
        String url = override != null && !override.isBlank() ? override : defaultUrl;
        if (url == null) {
            return;
        }
        Message m = new Message(url, Json.write(body), action, key, connectionId);
        try {
            CamelContext ctx = context.get();
            if (ctx == null) {
                throw new IllegalStateException("not started");
            }
            if (producer == null) {
                producer = ctx.createProducerTemplate();
            }
            producer.sendBody("seda:webhooks", m);
        } catch (RuntimeException e) {
            // full queue or stopping: the flow goes on, the loss is visible in the Logs tab
            LOG.warn("webhook not queued; integration={} connection={} action={} reason={}", key, connectionId, action,
                    e.getClass().getSimpleName());
            long now = clock.millis();
            log.submit(Operation.failed("webhook", action, key, connectionId, "Webhook dropped: the delivery queue is full",
                    "queue_full", now, now, null));
        }
    }
}
