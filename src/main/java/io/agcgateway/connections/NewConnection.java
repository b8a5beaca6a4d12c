package io.agcgateway.connections;

/**
 * A connection row to create, or to put over the existing one when an OAuth flow re-authorises it. Token fields are
 * TokenCipher values, JSON fields JSON text; built with {@link #builder} so no two strings can swap places.
 */
public record NewConnection(long integrationId, String connectionId, String accessTokenEnc, String refreshTokenEnc, String rawEnc,
                            Long expiresAt, String connectionConfig, String metadata, String endUser, String tags,
                            String webhookUrlOverride, String errors) {

    public static Builder builder(long integrationId, String connectionId) {
        return new Builder(integrationId, connectionId);
    }

    /** Unset fields stay null, except connection_config, a NOT NULL column, which is {} unless given. */
    public static final class Builder {
        private final long integrationId;
        private final String connectionId;
        private String accessTokenEnc;
        private String refreshTokenEnc;
        private String rawEnc;
        private Long expiresAt;
        private String connectionConfig = "{}";
        private String metadata;
        private String endUser;
        private String tags;
        private String webhookUrlOverride;
        private String errors;

        private Builder(long integrationId, String connectionId) {
            this.integrationId = integrationId;
            this.connectionId = connectionId;
        }

        public Builder accessTokenEnc(String v) {
            accessTokenEnc = v;
            return this;
        }

        public Builder refreshTokenEnc(String v) {
            refreshTokenEnc = v;
            return this;
        }

        public Builder rawEnc(String v) {
            rawEnc = v;
            return this;
        }

        public Builder expiresAt(Long epochMillis) {
            expiresAt = epochMillis;
            return this;
        }

        public Builder connectionConfig(String json) {
            connectionConfig = json;
            return this;
        }

        public Builder metadata(String json) {
            metadata = json;
            return this;
        }

        public Builder endUser(String json) {
            endUser = json;
            return this;
        }

        public Builder tags(String json) {
            tags = json;
            return this;
        }

        public Builder webhookUrlOverride(String url) {
            webhookUrlOverride = url;
            return this;
        }

        /** The errors column: JSON text of the problems found while creating it (e.g. no cloudId), or null. */
        public Builder errors(String json) {
            errors = json;
            return this;
        }

        public NewConnection build() {
            return new NewConnection(integrationId, connectionId, accessTokenEnc, refreshTokenEnc, rawEnc, expiresAt, connectionConfig,
                    metadata, endUser, tags, webhookUrlOverride, errors);
        }
    }
}
