package io.agcgateway.logs;

import java.util.Map;

/**
 * One row of the Logs tab: an auth step, a proxied call, a refresh or a webhook delivery.
 * Every field must already be redacted (use io.agcgateway.http.Redact) before it is built.
 *
 * @param type     auth | proxy | refresh | webhook
 * @param status   success | failed
 * @param request  {method, url, headers}
 * @param response {status, headers, body?}
 */
public record Operation(String type, String action, String status, String integrationKey, String connectionId,
                        String message, String errorCode, Integer httpStatus, Integer attempts, Long durationMs,
                        Map<String, Object> request, Map<String, Object> response, Map<String, Object> meta,
                        long createdAt, Long endedAt) {

    public static Operation success(String type, String action, String integrationKey, String connectionId, String message,
                                    long startedAt, long endedAt, Map<String, Object> meta) {
        return new Operation(type, action, "success", integrationKey, connectionId, message, null, null, null,
                endedAt - startedAt, null, null, meta, startedAt, endedAt);
    }

    public static Operation failed(String type, String action, String integrationKey, String connectionId, String message,
                                   String errorCode, long startedAt, long endedAt, Map<String, Object> meta) {
        return new Operation(type, action, "failed", integrationKey, connectionId, message, errorCode, null, null,
                endedAt - startedAt, null, null, meta, startedAt, endedAt);
    }
}
