package io.agcgateway.integrations;

import java.util.List;

/**
 * What a connect session token may read of GET /integrations and GET /providers/{p} (Nango's Connect UI calls them
 * with it): the session's allowed_integrations, or every integration when the session names none.
 */
public record IntegrationScope(List<String> allowed) {
    /** Exchange property set by the session-token check; absent for a secret-key call, which sees everything. */
    public static final String PROPERTY = "gateway.integration-scope";

    public IntegrationScope {
        allowed = allowed == null ? null : List.copyOf(allowed);
    }

    public boolean permits(String uniqueKey) {
        return allowed == null || allowed.contains(uniqueKey);
    }
}
