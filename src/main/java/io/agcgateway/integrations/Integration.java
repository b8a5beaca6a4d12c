package io.agcgateway.integrations;

/** An operator's OAuth app for one provider. Secrets are decrypted only when a caller needs them. */
public record Integration(
        long id,
        String uniqueKey,
        String provider,
        String displayName,
        String clientId,
        String clientSecretEnc,
        String scopes,
        String webhookSecretEnc,
        boolean forwardWebhooks,
        long createdAt,
        long updatedAt) {
}
