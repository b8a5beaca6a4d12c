package io.agcgateway.connections;

/**
 * What an import (POST /connections) writes: the token columns (TokenCipher values) replace the row's together;
 * the JSON columns replace the row's when given and keep it when null, so a re-import keeps metadata and tags.
 */
public record ImportedConnection(String accessTokenEnc, String refreshTokenEnc, String rawEnc, Long expiresAt, String connectionConfig,
                                 String metadata, String endUser, String tags, String webhookUrlOverride) {
}
