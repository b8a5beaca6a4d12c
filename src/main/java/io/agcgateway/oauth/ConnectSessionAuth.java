package io.agcgateway.oauth;

import io.agcgateway.auth.ApiKeyAuth;
import io.agcgateway.integrations.IntegrationScope;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Auth of the reads Nango's Connect UI makes with {@code Authorization: Bearer <connect session token>} (GET
 * /integrations, GET /providers/{p}): a usable session token opens them, narrowed to the session's integrations
 * ({@link IntegrationScope}); anything else is the secret-key check, and writes never take a session token.
 */
public final class ConnectSessionAuth implements Processor {
    private static final String PREFIX = "Bearer nango_connect_session_";

    private final ApiKeyAuth keys;
    private final ConnectSessions sessions;

    public ConnectSessionAuth(ApiKeyAuth keys, ConnectSessions sessions) {
        this.keys = keys;
        this.sessions = sessions;
    }

    @Override
    public void process(Exchange ex) {
        String auth = ex.getMessage().getHeader("Authorization", String.class);
        boolean read = "GET".equals(ex.getMessage().getHeader(Exchange.HTTP_METHOD, String.class));
        if (read && auth != null && auth.strip().regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            ConnectSession s = sessions.usable(auth.strip().substring(7).strip());
            ex.setProperty(IntegrationScope.PROPERTY, new IntegrationScope(s.allowed()));
            return;
        }
        keys.process(ex);
    }
}
