package io.agcgateway.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.Gateway;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Issue 12 item 7 "nothing is ever deleted": route purge removes old operations and spent OAuth state and connect
 * sessions, keeps everything younger, in batches. Run on H2 and PostgreSQL by the subclasses (the batched DELETE).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PurgeContract {
    static final long DAY = Duration.ofDays(1).toMillis();
    static final long HOUR = Duration.ofHours(1).toMillis();

    Gateway gw;
    JdbcTemplate db;
    long integrationId;

    abstract TestGateway.Store store();

    @BeforeAll
    void boot() {
        // a small batch, so the old rows below take several statements
        gw = Gateway.start(TestGateway.with(TestGateway.settings(store()), "gateway.purge.batch-size", "100"));
        db = new JdbcTemplate(gw.dataSource());
        integrationId = db.queryForObject("SELECT MIN(id) FROM integrations", Long.class);
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    @SuppressWarnings("unchecked")
    Map<String, Long> purge() {
        return gw.context().createProducerTemplate().requestBody("direct:purge-run", null, Map.class);
    }

    void operation(String action, long createdAt) {
        db.update("INSERT INTO operations (op_type, action, status, created_at) VALUES ('proxy', ?, 'success', ?)", action, createdAt);
    }

    int operations(String action) {
        return db.queryForObject("SELECT COUNT(*) FROM operations WHERE action = ?", Integer.class, action);
    }

    String state(long expiresAt) {
        String hash = UUID.randomUUID().toString();
        db.update("INSERT INTO oauth_sessions (state_hash, integration_id, connection_id, code_verifier_enc, connection_config, "
                + "redirect_uri, created_at, expires_at) VALUES (?,?,'c','v','{}','http://x/cb',?,?)", hash, integrationId,
                expiresAt - 10 * 60_000, expiresAt);
        return hash;
    }

    boolean stateExists(String hash) {
        return db.queryForObject("SELECT COUNT(*) FROM oauth_sessions WHERE state_hash = ?", Integer.class, hash) == 1;
    }

    String session(long expiresAt, Long usedAt) {
        String hash = UUID.randomUUID().toString();
        db.update("INSERT INTO connect_sessions (token_hash, created_at, expires_at, used_at) VALUES (?,?,?,?)", hash,
                expiresAt - 30 * 60_000, expiresAt, usedAt);
        return hash;
    }

    boolean sessionExists(String hash) {
        return db.queryForObject("SELECT COUNT(*) FROM connect_sessions WHERE token_hash = ?", Integer.class, hash) == 1;
    }

    @Test
    void operationsPastRetention_areDeletedInBatches_andYoungerOnesKept() {
        long now = System.currentTimeMillis();
        for (int i = 0; i < 250; i++) {
            operation("purge-old-" + store(), now - 16 * DAY);
        }
        operation("purge-young-" + store(), now - 14 * DAY);
        operation("purge-young-" + store(), now);

        Map<String, Long> run = purge();

        assertThat(operations("purge-old-" + store())).as("15 days retention (default)").isZero();
        assertThat(operations("purge-young-" + store())).isEqualTo(2);
        assertThat(run.get("operations")).as("every old row, across three 100-row batches").isGreaterThanOrEqualTo(250);
        assertThat(new Http(gw.baseUrl(), null).get("/observe/metrics").body()).contains("gateway_purged_rows_total{table=\"operations\"}");
    }

    @Test
    void oauthStatePastGrace_isDeleted_andStateInGraceOrAliveKept() {
        long now = System.currentTimeMillis();
        String old = state(now - 2 * DAY);
        String inGrace = state(now - HOUR);
        String alive = state(now + 10 * 60_000);

        purge();

        assertThat(stateExists(old)).isFalse();
        assertThat(stateExists(inGrace)).as("a day of grace past expiry").isTrue();
        assertThat(stateExists(alive)).isTrue();
    }

    @Test
    void connectSessionsExpiredOrUsedPastGrace_areDeleted_andTheRestKept() {
        long now = System.currentTimeMillis();
        String expiredLongAgo = session(now - 2 * DAY, null);
        String usedLongAgo = session(now + 20 * 60_000, now - 2 * DAY);
        String expiredInGrace = session(now - HOUR, null);
        String usedInGrace = session(now + 20 * 60_000, now - HOUR);
        String alive = session(now + 20 * 60_000, null);

        Map<String, Long> run = purge();

        assertThat(sessionExists(expiredLongAgo)).isFalse();
        assertThat(sessionExists(usedLongAgo)).isFalse();
        assertThat(sessionExists(expiredInGrace)).isTrue();
        assertThat(sessionExists(usedInGrace)).isTrue();
        assertThat(sessionExists(alive)).isTrue();
        assertThat(run.get("connect_sessions")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void purgeWithNothingDue_deletesNothing_andCanRunTwice() {
        purge();
        Map<String, Long> again = purge();
        assertThat(again).containsEntry("operations", 0L).containsEntry("oauth_sessions", 0L).containsEntry("connect_sessions", 0L);
    }
}
