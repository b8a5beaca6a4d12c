package io.agcgateway.refresh;

import io.agcgateway.connections.Connection;
import io.agcgateway.webhooks.AuthEvents;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** AuthEvents that remember what would have become webhooks ("refreshFailed:conn:type", "refreshRecovered:conn"). */
final class RecordingEvents implements AuthEvents {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void authorized(Connection c, boolean created) {
        events.add("authorized:" + c.connectionId());
    }

    @Override
    public void authorizationFailed(String integrationKey, String provider, String connectionId, String webhookUrlOverride,
                                    Failure error) {
        events.add("authorizationFailed:" + connectionId);
    }

    @Override
    public void refreshFailed(Connection c, String errorType, String description) {
        events.add("refreshFailed:" + c.connectionId() + ":" + errorType);
    }

    @Override
    public void refreshRecovered(Connection c) {
        events.add("refreshRecovered:" + c.connectionId());
    }

    List<String> of(String connectionId) {
        return events.stream().filter(e -> e.contains(":" + connectionId)).toList();
    }
}
