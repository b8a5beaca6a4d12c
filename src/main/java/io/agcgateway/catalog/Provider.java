package io.agcgateway.catalog;

import java.util.List;
import java.util.Map;

/**
 * One validated catalog entry; {@link #raw} is the entry as written, served by GET /providers.
 * {@link #proxyHeaders} values may hold {@code ${connectionConfig.x}}, filled per connection by the proxy.
 */
public record Provider(
        String name,
        String displayName,
        String authMode,
        String authorizationUrl,
        String tokenUrl,
        List<String> defaultScopes,
        Map<String, String> authorizationParams,
        Map<String, String> tokenParams,
        Map<String, String> refreshParams,
        String scopeSeparator,
        long tokenExpiresInDefault,
        List<String> accessibleResourcesUrls,
        String proxyBaseUrl,
        List<String> allowedBaseUrls,
        RetryHeaders retryHeaders,
        List<String> redirectHosts,
        Map<String, Map<String, Object>> connectionConfig,
        boolean disablePkce,
        boolean tokenRequestAuthBasic,
        Map<String, String> proxyHeaders,
        Map<String, Object> raw) {
}
