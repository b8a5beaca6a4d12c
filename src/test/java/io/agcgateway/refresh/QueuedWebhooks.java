package io.agcgateway.refresh;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.Gateway;
import io.agcgateway.http.Json;
import io.agcgateway.webhooks.WebhookEvents;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.ConsumerTemplate;

/**
 * The auth webhooks a gateway queued, read from seda:webhooks with the webhooks route stopped (nothing is sent), as
 * "refreshFailed:conn:type", "refreshRecovered:conn", "authorized:conn". The gateway needs gateway.webhook.url set.
 */
final class QueuedWebhooks {
    private final ConsumerTemplate queue;
    private final List<String> events = new CopyOnWriteArrayList<>();

    QueuedWebhooks(Gateway gw) throws Exception {
        gw.context().getRouteController().stopRoute("webhooks");
        queue = gw.context().createConsumerTemplate();
    }

    List<String> all() {
        WebhookEvents.Message m;
        while ((m = queue.receiveBodyNoWait("seda:webhooks", WebhookEvents.Message.class)) != null) {
            events.add(event(Json.read(m.body())));
        }
        return List.copyOf(events);
    }

    List<String> of(String connectionId) {
        return all().stream().filter(e -> e.contains(":" + connectionId)).toList();
    }

    private static String event(JsonNode b) {
        String conn = b.path("connectionId").asText();
        boolean success = b.path("success").asBoolean();
        if ("refresh".equals(b.path("operation").asText())) {
            return success ? "refreshRecovered:" + conn : "refreshFailed:" + conn + ":" + b.path("error").path("type").asText();
        }
        return (success ? "authorized:" : "authorizationFailed:") + conn;
    }
}
