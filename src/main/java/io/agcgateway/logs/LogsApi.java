package io.agcgateway.logs;

import io.agcgateway.http.GatewayException;
import io.agcgateway.http.HttpReply;
import io.agcgateway.http.Json;
import io.agcgateway.http.RequestParams;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.springframework.jdbc.core.JdbcTemplate;

/** GET /logs and GET /logs/{id}: operations newest first, filtered, paged by id cursor. */
public final class LogsApi {
    private static final Set<String> TYPES = Set.of("auth", "proxy", "refresh", "webhook");
    private static final Set<String> STATUSES = Set.of("success", "failed", "running");
    private static final Pattern NUMBER = Pattern.compile("^[0-9]{1,18}$");
    private static final String COLUMNS = "id, op_type, action, status, integration_key, connection_id, message, error_code, "
            + "request_json, response_json, meta_json, http_status, attempts, duration_ms, created_at, ended_at";

    private final JdbcTemplate jdbc;

    public LogsApi(DataSource ds) {
        this.jdbc = new JdbcTemplate(ds);
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
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM operations WHERE 1=1");
        List<Object> args = new ArrayList<>();
        add(sql, args, "op_type", type);
        add(sql, args, "status", status);
        add(sql, args, "integration_key", integration);
        add(sql, args, "connection_id", connection);
        if (cursor != null) {
            sql.append(" AND id < ?");
            args.add(Long.parseLong(cursor));
        }
        sql.append(" ORDER BY id DESC LIMIT ?");
        args.add(limit + 1);
        List<Map<String, Object>> rows = jdbc.query(sql.toString(), LogsApi::row, args.toArray());
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
        List<Map<String, Object>> rows = jdbc.query("SELECT " + COLUMNS + " FROM operations WHERE id = ?", LogsApi::row, Long.parseLong(id));
        if (rows.isEmpty()) {
            throw GatewayException.notFound("not_found", "Operation '" + id + "' does not exist.");
        }
        ex.setProperty(HttpReply.STATUS, 200);
        ex.getMessage().setBody(Map.of("data", rows.get(0)));
    }

    private static String param(Map<String, String> q, String name) {
        String v = q.get(name);
        return v == null || v.isBlank() ? null : v;
    }

    private static void add(StringBuilder sql, List<Object> args, String column, String value) {
        if (value != null) {
            sql.append(" AND ").append(column).append(" = ?");
            args.add(value);
        }
    }

    private static Map<String, Object> row(ResultSet rs, int n) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", rs.getLong(1));
        m.put("type", rs.getString(2));
        m.put("action", rs.getString(3));
        m.put("status", rs.getString(4));
        m.put("integration", rs.getString(5));
        m.put("connection_id", rs.getString(6));
        m.put("message", rs.getString(7));
        m.put("error_code", rs.getString(8));
        m.put("request", Json.read(rs.getString(9)));
        m.put("response", Json.read(rs.getString(10)));
        m.put("meta", Json.read(rs.getString(11)));
        m.put("http_status", rs.getObject(12));
        m.put("attempts", rs.getObject(13));
        m.put("duration_ms", rs.getObject(14));
        m.put("created_at", io.agcgateway.http.Json.timestamp(rs.getLong(15)));
        long ended = rs.getLong(16);
        m.put("ended_at", rs.wasNull() ? null : io.agcgateway.http.Json.timestamp(ended));
        return m;
    }
}
