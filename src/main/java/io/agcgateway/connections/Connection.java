package io.agcgateway.connections;

/**
 * One end user's authorised account at one provider site. Token columns hold TokenCipher values
 * (contexts "access_token", "refresh_token", "raw"); JSON columns hold JSON text.
 */
public record Connection(
        long id,
        long integrationId,
        String integrationKey,
        String provider,
        String connectionId,
        String accessTokenEnc,
        String refreshTokenEnc,
        String rawEnc,
        Long expiresAt,
        String connectionConfig,
        String metadata,
        String endUser,
        String tags,
        String webhookUrlOverride,
        String refreshState,
        String errors,
        int refreshFailures,
        Long nextRefreshAt,
        Long lastRefreshAt,
        Long refreshTokenIssuedAt,
        Long lastUsedAt,
        Long lastFetchedAt,
        String leaseOwner,
        Long leaseUntil,
        long version,
        long createdAt,
        long updatedAt) {

    public static final String OK = "ok";
    public static final String REFRESH_FAILED = "refresh_failed";
    public static final String REFRESH_RETRYING = "refresh_retrying";
}
