package io.agcgateway.connections;

/** Auth lifecycle events that become Nango `auth` webhooks. Implementations must never block the caller. */
public interface AuthEvents {
    /** operation "creation" or "override" after a successful OAuth callback. */
    void authorized(Connection c, boolean created);

    /**
     * operation "creation", success false: the callback failed (e.g. access_denied, token exchange failed).
     * @param webhookUrlOverride the connect session's webhook_url_override, or null
     */
    void authorizationFailed(String integrationKey, String provider, String connectionId, String webhookUrlOverride, Failure error);

    /** Nango's webhook {@code error}: {type, description}. */
    record Failure(String type, String description) {
    }

    /** operation "refresh", success false. */
    void refreshFailed(Connection c, String errorType, String description);

    /** operation "refresh", success true: sent only when the connection was in error before (Nango PR #7202). */
    void refreshRecovered(Connection c);

    AuthEvents NONE = new AuthEvents() {
        @Override
        public void authorized(Connection c, boolean created) {
        }

        @Override
        public void authorizationFailed(String integrationKey, String provider, String connectionId, String webhookUrlOverride,
                                        Failure error) {
        }

        @Override
        public void refreshFailed(Connection c, String errorType, String description) {
        }

        @Override
        public void refreshRecovered(Connection c) {
        }
    };
}
