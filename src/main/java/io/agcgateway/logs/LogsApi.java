package io.agcgateway.logs;

import io.agcgateway.http.GatewayException;
import io.agcgateway.http.HttpReply;
import io.agcgateway.http.RequestParams;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;

/** GET /logs and GET /logs/{id}: operations newest first, filtered, paged by id cursor. */
public final class LogsApi {
    private static final Set<String> TYPES = Set.of("auth", "proxy", "refresh", "webhook");
    private static final Set<String> STATUSES = Set.of("success", "failed", "running");
    private static final Pattern NUMBER = Pattern.compile("^[0-9]{1,18}$");

    private final OperationStore store;

    public LogsApi(OperationStore store) {
        this.store = store;
    }

    public void list(Exchange ex) {
        Map<String, String> q = RequestParams.query(ex);
        String type = param(q, "type");
        String status = param(q, "status");
        String integration = param(q, "integration");
        String connection = param(q, "connection");
        String cursor = param(q, "cursor");
        String limitText = param(q, "limit");
        if (type != null && !TYPES.contains(type)) {
            throw new GatewayException(400, "invalid_query_params", "type must be one of " + TYPES + ".");
        }
        if (status != null && !STATUSES.contains(status)) {
            throw new GatewayException(400, "invalid_query_params", "status must be one of " + STATUSES + ".");
        }
        if (cursor != null && !NUMBER.matcher(cursor).matches()) {
            throw new GatewayException(400, "invalid_query_params", "cursor must be the next_cursor of a previous page.");
        }
        int limit = 50;
        if (limitText != null) {
            if (!NUMBER.matcher(limitText).matches() || Long.parseLong(limitText) < 1 || Long.parseLong(limitText) > 500) {
                throw new GatewayException(400, "invalid_query_params", "limit must be a number from 1 to 500.");
            }
            limit = Integer.parseInt(limitText);
        }
        Map<String, String> equal = new LinkedHashMap<>();
        equal.put("op_type", type);
        equal.put("status", status);
        equal.put("integration_key", integration);
        equal.put("connection_id", connection);
        List<Map<String, Object>> rows = store.page(equal, cursor == null ? null : Long.parseLong(cursor), limit + 1);
        String next = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            next = String.valueOf(rows.get(limit - 1).get("id"));
        }
        Map<String, Object> pagination = new LinkedHashMap<>();
        pagination.put("next_cursor", next);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("data", rows);
        body.put("pagination", pagination);
        ex.setProperty(HttpReply.STATUS, 200);
        ex.getMessage().setBody(body);
    }

    public void get(Exchange ex) {
        String id = RequestParams.path(ex, "id");
        if (id == null || !NUMBER.matcher(id).matches()) {
            throw GatewayException.notFound("not_found", "Operation '" + id + "' does not exist.");
        }
        Map<String, Object> row = store.find(Long.parseLong(id));
        if (row == null) {
            throw GatewayException.notFound("not_found", "Operation '" + id + "' does not exist.");
        }
        ex.setProperty(HttpReply.STATUS, 200);
        ex.getMessage().setBody(Map.of("data", row));
    }

    private static String param(Map<String, String> q, String name) {
        String v = q.get(name);
        return v == null || v.isBlank() ? null : v;
    }
}
