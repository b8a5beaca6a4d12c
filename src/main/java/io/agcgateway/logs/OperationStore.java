package io.agcgateway.logs;

import io.agcgateway.http.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The operations table (the Logs): written in batches by {@link OperationLog}, read by {@link LogsApi}. A row to write
 * is the {@link #INSERT} parameters in order, the shape the spool file keeps too.
 */
public final class OperationStore {
    static final String INSERT = "INSERT INTO operations (op_type, action, status, integration_key, connection_id, message, "
            + "error_code, request_json, response_json, meta_json, http_status, attempts, duration_ms, created_at, ended_at) "
            + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    /**
     * The SQL type of each {@link #INSERT} parameter: without them Spring asks the driver for a null's type
     * (ParameterMetaData) on every null of every row, 16% of the writer's CPU under proxy load.
     */
    private static final int[] TYPES = {Types.VARCHAR, Types.VARCHAR, Types.VARCHAR, Types.VARCHAR, Types.VARCHAR, Types.VARCHAR,
        Types.VARCHAR, Types.VARCHAR, Types.VARCHAR, Types.VARCHAR, Types.INTEGER, Types.INTEGER, Types.BIGINT, Types.BIGINT,
        Types.BIGINT};
    private static final String COLUMNS = "id, op_type, action, status, integration_key, connection_id, message, error_code, "
            + "request_json, response_json, meta_json, http_status, attempts, duration_ms, created_at, ended_at";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    public OperationStore(DataSource ds) {
        this.jdbc = new JdbcTemplate(ds);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
    }

    /** All the rows in one transaction: every one is written or none is. */
    public void insertAll(List<Object[]> rows) {
        tx.executeWithoutResult(status -> jdbc.batchUpdate(INSERT, rows, TYPES));
    }

    public void insert(Object[] row) {
        jdbc.update(INSERT, row, TYPES);
    }

    /**
     * Newest first: rows whose columns equal the given values (null values are no filter), below {@code beforeId} when
     * given, at most {@code limit}.
     */
    public List<Map<String, Object>> page(Map<String, String> equal, Long beforeId, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM operations WHERE 1=1");
        List<Object> args = new ArrayList<>();
        equal.forEach((column, value) -> {
            if (value != null) {
                sql.append(" AND ").append(column).append(" = ?");
                args.add(value);
            }
        });
        if (beforeId != null) {
            sql.append(" AND id < ?");
            args.add(beforeId);
        }
        sql.append(" ORDER BY id DESC LIMIT ?");
        args.add(limit);
        return jdbc.query(sql.toString(), OperationStore::row, args.toArray());
    }

    /** The operation as the Logs API shows it, or null. */
    public Map<String, Object> find(long id) {
        List<Map<String, Object>> rows = jdbc.query("SELECT " + COLUMNS + " FROM operations WHERE id = ?", OperationStore::row, id);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private static Map<String, Object> row(ResultSet rs, int n) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", rs.getLong("id"));
        m.put("type", rs.getString("op_type"));
        m.put("action", rs.getString("action"));
        m.put("status", rs.getString("status"));
        m.put("integration", rs.getString("integration_key"));
        m.put("connection_id", rs.getString("connection_id"));
        m.put("message", rs.getString("message"));
        m.put("error_code", rs.getString("error_code"));
        m.put("request", Json.read(rs.getString("request_json")));
        m.put("response", Json.read(rs.getString("response_json")));
        m.put("meta", Json.read(rs.getString("meta_json")));
        m.put("http_status", rs.getObject("http_status"));
        m.put("attempts", rs.getObject("attempts"));
        m.put("duration_ms", rs.getObject("duration_ms"));
        m.put("created_at", Json.timestamp(rs.getLong("created_at")));
        long ended = rs.getLong("ended_at");
        m.put("ended_at", rs.wasNull() ? null : Json.timestamp(ended));
        return m;
    }
}
