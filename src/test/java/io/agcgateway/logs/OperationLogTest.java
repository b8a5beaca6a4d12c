package io.agcgateway.logs;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.agcgateway.metrics.GatewayMetrics;
import io.agcgateway.store.Database;
import io.agcgateway.support.TestGateway;
import java.lang.reflect.Proxy;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.TransactionSystemException;

/** The writer's batch rules on H2 and PostgreSQL: one refused row costs that row only; no value can be refused for its text. */
class OperationLogTest {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private DataSource store(TestGateway.Store store) {
        HikariDataSource ds = new HikariDataSource();
        if (store == TestGateway.Store.POSTGRES) {
            ds.setJdbcUrl(TestGateway.newPostgresDatabase());
            ds.setUsername("postgres");
            ds.setPassword("postgres");
        } else {
            ds.setJdbcUrl("jdbc:h2:mem:oplog" + SEQ.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
            ds.setUsername("sa");
        }
        open.add(ds);
        Database.migrate(ds, store == TestGateway.Store.POSTGRES);
        return ds;
    }

    private OperationLog log(DataSource ds) {
        OperationLog log = new OperationLog(ds, 1000, new GatewayMetrics());
        open.add(0, log);
        return log;
    }

    private static Operation op(int i) {
        return Operation.success("proxy", "proxy", "agc-sandbox", "conn-" + i, "call " + i, 1_000L + i, 1_001L + i, Map.of("i", i));
    }

    @ParameterizedTest
    @EnumSource(TestGateway.Store.class)
    void batchWithOneRefusedRow_losesOnlyThatRow(TestGateway.Store store) {
        DataSource ds = store(store);
        OperationLog log = log(ds);
        List<Operation> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            // action is NOT NULL: the database refuses this row whatever its text
            batch.add(i == 37 ? new Operation("proxy", null, "success", "agc-sandbox", "conn-37", "poisoned", null, null, null, 0L,
                    null, null, null, 1_037L, 1_037L) : op(i));
        }
        log.write(batch);

        List<String> ids = new JdbcTemplate(ds).queryForList("SELECT connection_id FROM operations ORDER BY id", String.class);
        assertThat(ids).hasSize(99).doesNotContain("conn-37").contains("conn-0", "conn-36", "conn-38", "conn-99");
        assertThat(ids).as("no row written twice by the row-by-row retry").doesNotHaveDuplicates();
        assertThat(log.written()).isEqualTo(99);
        assertThat(log.dropped()).isEqualTo(1);
    }

    /**
     * V8: on H2 the id sequence saves its next value once per 10,000 ids, not once per 32 (each save wrote the store file);
     * ids still follow insert order across batches. PostgreSQL
     * keeps no cache (it caches per session: ids would leave insert order).
     */
    @ParameterizedTest
    @EnumSource(TestGateway.Store.class)
    void operationIds_followInsertOrder_andH2CachesThemByTheTenThousand(TestGateway.Store store) {
        DataSource ds = store(store);
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        long cache = store == TestGateway.Store.POSTGRES
                ? jdbc.queryForObject("SELECT cache_size FROM pg_sequences WHERE sequencename = "
                        + "substring(pg_get_serial_sequence('operations', 'id') from '[^.]*$')", Long.class)
                : jdbc.queryForObject("SELECT identity_cache FROM information_schema.columns WHERE table_name = 'OPERATIONS' "
                        + "AND column_name = 'ID'", Long.class);
        assertThat(cache).isEqualTo(store == TestGateway.Store.POSTGRES ? 1 : 10000);

        OperationLog log = log(ds);
        for (int b = 0; b < 5; b++) {
            List<Operation> batch = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                batch.add(op(b * 300 + i));
            }
            log.write(batch);
        }
        List<Long> ids = jdbc.queryForList("SELECT id FROM operations ORDER BY created_at", Long.class);
        assertThat(ids).hasSize(1500).isSorted().doesNotHaveDuplicates();
    }

    /**
     * An existing PostgreSQL database already has V1000 (Quartz) when a shared migration with a lower version ships: it
     * is applied at the next start instead of Flyway refusing to start ("resolved migration not applied").
     */
    @org.junit.jupiter.api.Test
    void postgresWithV1000Applied_takesALaterSharedMigration() {
        DataSource ds = store(TestGateway.Store.POSTGRES);
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        // as a database migrated before V8 existed: V8 neither recorded nor in effect
        jdbc.update("DELETE FROM flyway_schema_history WHERE version = '8'");
        jdbc.execute("ALTER TABLE operations ALTER COLUMN id SET CACHE 7");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM flyway_schema_history WHERE version = '1000'", Integer.class)).isEqualTo(1);

        Database.migrate(ds, true);

        assertThat(jdbc.queryForObject("SELECT count(*) FROM flyway_schema_history WHERE version = '8' AND success", Integer.class)).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT cache_size FROM pg_sequences WHERE sequencename = "
                + "substring(pg_get_serial_sequence('operations', 'id') from '[^.]*$')", Long.class)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(TestGateway.Store.class)
    void controlCharacters_areStoredEscaped_notRefused(TestGateway.Store store) {
        DataSource ds = store(store);
        OperationLog log = log(ds);
        log.write(List.of(op(1), new Operation("auth", "oauth_authorize", "failed", "x\u0000y", "c\u007f",
                "bad\u0001input\nsecond line\tend", "e\u001b", null, null, 0L, null, null, Map.of("k", "v\u0000"), 2_000L, 2_000L), op(2)));

        List<Map<String, Object>> rows = new JdbcTemplate(ds).queryForList(
                "SELECT integration_key, connection_id, message, error_code, meta_json FROM operations WHERE action = 'oauth_authorize'");
        assertThat(rows).hasSize(1);
        Map<String, Object> r = rows.get(0);
        assertThat(r.get("integration_key")).isEqualTo("x\\u0000y");
        assertThat(r.get("connection_id")).isEqualTo("c\\u007f");
        assertThat(r.get("message")).isEqualTo("bad\\u0001input\nsecond line\tend");
        assertThat(r.get("error_code")).isEqualTo("e\\u001b");
        assertThat((String) r.get("meta_json")).isEqualTo("{\"k\":\"v\\u0000\"}");
        assertThat(log.written()).isEqualTo(3);
        assertThat(log.dropped()).isZero();
    }

    @ParameterizedTest
    @EnumSource(TestGateway.Store.class)
    void valuesLongerThanTheirColumn_areCut_notRefused(TestGateway.Store store) {
        DataSource ds = store(store);
        OperationLog log = log(ds);
        log.write(List.of(new Operation("proxy", "a".repeat(100), "success", "k".repeat(300), "c".repeat(300), "m".repeat(5000),
                "e".repeat(200), 200, 1, 5L, null, null, null, 3_000L, 3_000L)));

        Map<String, Object> r = new JdbcTemplate(ds).queryForMap("SELECT action, integration_key, connection_id, message, error_code FROM operations");
        assertThat((String) r.get("action")).hasSize(80);
        assertThat((String) r.get("integration_key")).hasSize(255);
        assertThat((String) r.get("connection_id")).hasSize(255);
        assertThat((String) r.get("message")).hasSize(4000);
        assertThat((String) r.get("error_code")).hasSize(120);
        assertThat(log.dropped()).isZero();
    }

    @Test
    void unavailableDatabase_dropsTheBatchAtOnce_withoutTryingEachRow() {
        AtomicInteger connects = new AtomicInteger();
        DataSource down = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        connects.incrementAndGet();
                        throw new SQLTransientConnectionException("gateway-db - Connection is not available", "08001");
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        OperationLog log = log(down);
        List<Operation> batch = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            batch.add(op(i));
        }
        log.write(batch);

        assertThat(log.dropped()).isEqualTo(50);
        assertThat(log.written()).isZero();
        assertThat(connects.get()).as("one attempt for the batch, none per row").isEqualTo(1);
    }

    @Test
    void unavailableTellsTheDatabaseFromTheRow() {
        assertThat(OperationLog.unavailable(new SQLTransientConnectionException("timeout"))).isTrue();
        assertThat(OperationLog.unavailable(new RuntimeException(new java.sql.SQLException("gone", "08006")))).isTrue();
        assertThat(OperationLog.unavailable(new RuntimeException(new java.sql.SQLException("shutting down", "57P01")))).isTrue();
        assertThat(OperationLog.unavailable(new TransactionSystemException("JDBC rollback failed",
                new java.sql.SQLException("Connection is closed")))).as("the connection broke mid-batch").isTrue();
        assertThat(OperationLog.unavailable(new RuntimeException(new java.sql.SQLException("invalid byte sequence", "22021")))).isFalse();
        assertThat(OperationLog.unavailable(new RuntimeException(new java.sql.SQLException("null value", "23502")))).isFalse();
    }

    @Test
    void rowsArrivingWithinTheLinger_shareOneTransaction_andCloseWritesALingeringBatch() throws Exception {
        DataSource h2 = store(TestGateway.Store.H2);
        AtomicInteger connects = new AtomicInteger();
        DataSource counted = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        connects.incrementAndGet();
                    }
                    return method.invoke(h2, args);
                });
        OperationLog log = new OperationLog(counted, 1000, java.time.Duration.ofSeconds(2), new GatewayMetrics());
        log.submit(op(0));
        Thread.sleep(100);
        for (int i = 1; i < 5; i++) {
            log.submit(op(i));
            Thread.sleep(20);
        }
        log.close(); // inside the linger: the batch is written, not lost
        assertThat(new JdbcTemplate(h2).queryForObject("SELECT COUNT(*) FROM operations", Integer.class)).isEqualTo(5);
        assertThat(log.written()).isEqualTo(5);
        assertThat(connects.get()).as("one transaction for the five rows").isEqualTo(1);
    }

    @Test
    void rowsWrittenWhileTheDatabaseIsDown_areSpooled_andWrittenWhenItIsBack() throws Exception {
        DataSource h2 = store(TestGateway.Store.H2);
        java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean(true);
        DataSource flaky = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection") && down.get()) {
                        throw new SQLTransientConnectionException("gateway-db - Connection is not available", "08001");
                    }
                    return method.invoke(h2, args);
                });
        java.nio.file.Path file = java.nio.file.Files.createTempDirectory("spool").resolve("operations-spool.jsonl");
        OperationLog log = new OperationLog(flaky, 1000, java.time.Duration.ZERO, new Spool(file, 1_000_000), new GatewayMetrics());
        open.add(0, log);
        List<Operation> outage = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            outage.add(op(i));
        }
        log.write(outage);
        assertThat(log.spooled()).isEqualTo(30);
        assertThat(log.dropped()).isZero();
        assertThat(java.nio.file.Files.readAllLines(file)).hasSize(30);

        down.set(false);
        log.write(List.of(op(100)));
        List<String> ids = new JdbcTemplate(h2).queryForList("SELECT connection_id FROM operations ORDER BY id", String.class);
        assertThat(ids).hasSize(31).contains("conn-0", "conn-29", "conn-100").doesNotHaveDuplicates();
        assertThat(log.written()).isEqualTo(31);
        assertThat(file).doesNotExist();
    }

    @Test
    void aFullSpool_dropsTheRest_andCountsThem() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempDirectory("spool").resolve("operations-spool.jsonl");
        DataSource down = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    throw new SQLTransientConnectionException("gateway-db - Connection is not available", "08001");
                });
        OperationLog log = new OperationLog(down, 1000, java.time.Duration.ZERO, new Spool(file, 2_000), new GatewayMetrics());
        open.add(0, log);
        List<Operation> batch = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            batch.add(op(i));
        }
        log.write(batch);
        assertThat(log.spooled()).isPositive().isLessThan(50);
        assertThat(log.spooled() + log.dropped()).isEqualTo(50);
        assertThat(java.nio.file.Files.size(file)).isLessThanOrEqualTo(2_000);
    }
}
