package io.agcgateway.catalog;

import java.util.List;

/**
 * The provider's rate-limit headers (catalog {@code proxy.retry}, Nango's names): {@code at} names headers holding the
 * time the limit resets, {@code after} names headers holding the seconds to wait.
 */
public record RetryHeaders(List<String> at, List<String> after) {
    public static final RetryHeaders NONE = new RetryHeaders(List.of(), List.of());
}
