package io.agcgateway.support;

import io.agcgateway.Gateway;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.http.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The Health page's data, written straight into the store: six connections (2 fresh, 1 due, 1 failing, 2 revoked;
 * oldest refresh token 95 days, one past the 90-day limit), 100 proxied calls in the last hour (1..100 ms, every
 * tenth failed) plus one older, and refreshes of the last day (3 ok, 2 rejected, 1 transient) plus rows that must
 * not count. The gateway must run with the sweep off (see {@link #SWEEP_OFF}) so nothing changes them.
 */
public final class HealthSeed {
    public static final long DAY = 86_400_000L;
    public static final long MINUTE = 60_000L;
    /** A Quartz cron that fires on 1 January only: the sweep leaves the seeded rows alone. */
    public static final String[] SWEEP_OFF = {"gateway.refresh.sweep-cron", "0 0 0 1 1 ?"};

    private HealthSeed() {
    }

    public static void seed(Gateway gw) {
        long now = System.currentTimeMillis();
        Seed seed = new Seed(gw.dataSource(), gw.bean("tokenCipher", TokenCipher.class));
        JdbcTemplate db = new JdbcTemplate(gw.dataSource());
        long integration = seed.integration("health-int", "atlassian-government-cloud-sandbox");
        seed.connection(integration, "fresh-1", now + 50 * MINUTE, now, now - DAY);
        seed.connection(integration, "fresh-2", now + 50 * MINUTE, null, now - 3 * DAY);
        seed.connection(integration, "due-1", now - 10 * MINUTE, null, now - 10 * DAY);
        seed.connection(integration, "failing-1", now + 50 * MINUTE, null, now - 2 * DAY);
        seed.connection(integration, "revoked-1", now - DAY, null, now - 95 * DAY);
        // issued 40 days ago but spent by a refresh that kept it 20 days ago: 20 days old
        seed.connection(integration, "revoked-2", now - DAY, null, now - 40 * DAY);
        db.update("UPDATE connections SET refresh_state='refresh_retrying' WHERE connection_id='failing-1'");
        db.update("UPDATE connections SET refresh_state='refresh_failed' WHERE connection_id IN ('revoked-1','revoked-2')");
        db.update("UPDATE connections SET last_refresh_at=? WHERE connection_id='revoked-2'", now - 20 * DAY - MINUTE);

        for (int i = 1; i <= 100; i++) {
            long at = now - (i % 30) * MINUTE - 1000;
            boolean failed = i % 10 == 0;
            db.update("INSERT INTO operations (op_type, action, status, integration_key, connection_id, http_status, duration_ms, "
                    + "created_at, ended_at) VALUES ('proxy','proxy',?,'health-int','fresh-1',?,?,?,?)",
                    failed ? "failed" : "success", failed ? 502 : 200, i, at, at + i);
        }
        db.update("INSERT INTO operations (op_type, action, status, duration_ms, created_at) VALUES ('proxy','proxy','failed',9999,?)",
                now - 2 * 60 * MINUTE);

        refresh(db, "success", "ok", now - 5 * MINUTE);
        refresh(db, "success", "ok", now - 3 * 60 * MINUTE);
        refresh(db, "success", "ok", now - 20 * 60 * MINUTE);
        refresh(db, "failed", "rejected", now - 2 * 60 * MINUTE);
        refresh(db, "failed", "rejected", now - 7 * 60 * MINUTE);
        refresh(db, "failed", "unavailable", now - 30 * MINUTE);
        refresh(db, "success", "ok", now - 2 * DAY);
        db.update("INSERT INTO operations (op_type, action, status, created_at) VALUES ('refresh','sweep','success',?)", now - MINUTE);
    }

    /** A refresh row as RefreshService writes it (meta: forced, outcome, provider_status). */
    private static void refresh(JdbcTemplate db, String status, String outcome, long at) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("forced", false);
        meta.put("outcome", outcome);
        meta.put("provider_status", "ok".equals(outcome) ? 200 : "rejected".equals(outcome) ? 400 : 503);
        db.update("INSERT INTO operations (op_type, action, status, integration_key, connection_id, meta_json, created_at, ended_at) "
                + "VALUES ('refresh','token_refresh',?,'health-int','fresh-1',?,?,?)", status, Json.write(meta), at, at + 100);
    }

    /** Every token the seeded connections hold, in clear: none may appear in the Health answer or page. */
    public static String[] tokens() {
        String[] ids = {"fresh-1", "fresh-2", "due-1", "failing-1", "revoked-1", "revoked-2"};
        String[] out = new String[ids.length * 2];
        for (int i = 0; i < ids.length; i++) {
            out[2 * i] = "at." + ids[i] + ".1";
            out[2 * i + 1] = "rt." + ids[i] + ".1";
        }
        return out;
    }
}
