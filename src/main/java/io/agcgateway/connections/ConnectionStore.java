package io.agcgateway.connections;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import javax.sql.DataSource;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Rows of the connections table. The refresh lease (docs/ARCHITECTURE.md "Tokens and refresh") lives here: a conditional UPDATE takes it,
 * storing the new token pair releases it in the same statement, so no node ever holds a pair it did not store.
 */
public final class ConnectionStore {
    private static final String COLUMNS = "c.id, c.integration_id, i.unique_key, i.provider, c.connection_id, c.access_token_enc, "
            + "c.refresh_token_enc, c.raw_enc, c.expires_at, c.connection_config, c.metadata, c.end_user, c.tags, "
            + "c.webhook_url_override, c.refresh_state, c.errors, c.refresh_failures, c.next_refresh_at, c.last_refresh_at, "
            + "c.refresh_token_issued_at, c.last_used_at, c.last_fetched_at, c.lease_owner, c.lease_until, c.version, "
            + "c.created_at, c.updated_at";
    private static final String FROM = " FROM connections c JOIN integrations i ON i.id = c.integration_id ";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final String writer = java.util.UUID.randomUUID().toString();
    private final List<BiConsumer<Long, String>> replaced = new CopyOnWriteArrayList<>();

    /** A connection that was deleted, imported or re-authorised (a row of the connection_changes feed). */
    public record Replaced(long seq, long integrationId, String connectionId) {
    }

    public ConnectionStore(DataSource ds) {
        this.jdbc = new JdbcTemplate(ds);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
    }

    /**
     * Called with (integration id, connection id) after this node deleted, created or re-authorised that connection:
     * whoever holds its tokens in memory (the proxy's TokenCache) drops them, since the id may now name another account.
     */
    public void onReplaced(BiConsumer<Long, String> listener) {
        replaced.add(listener);
    }

    private void replaced(long integrationId, String connectionId) {
        for (BiConsumer<Long, String> l : replaced) {
            l.accept(integrationId, connectionId);
        }
    }

    /** The feed row for the other nodes; written in the transaction of the change itself. */
    private void recordReplaced(long integrationId, String connectionId, long now) {
        jdbc.update("INSERT INTO connection_changes (integration_id, connection_id, writer, changed_at) VALUES (?,?,?,?)",
                integrationId, connectionId, writer, now);
    }

    /** Connections replaced by other nodes at or after {@code since} (epoch ms of the writing node). */
    public List<Replaced> replacedElsewhereSince(long since) {
        return jdbc.query("SELECT seq, integration_id, connection_id FROM connection_changes WHERE changed_at >= ? AND writer <> ?",
                (rs, n) -> new Replaced(rs.getLong("seq"), rs.getLong("integration_id"), rs.getString("connection_id")), since, writer);
    }

    public void purgeReplaced(long before) {
        jdbc.update("DELETE FROM connection_changes WHERE changed_at < ?", before);
    }


    public Connection find(String integrationKey, String connectionId) {
        List<Connection> r = jdbc.query("SELECT " + COLUMNS + FROM + "WHERE i.unique_key = ? AND c.connection_id = ?",
                ConnectionStore::row, integrationKey, connectionId);
        return r.isEmpty() ? null : r.get(0);
    }

    public Connection findById(long id) {
        List<Connection> r = jdbc.query("SELECT " + COLUMNS + FROM + "WHERE c.id = ?", ConnectionStore::row, id);
        return r.isEmpty() ? null : r.get(0);
    }

    /** Connections by connection id only (the id may exist under several integrations). */
    public List<Connection> findByConnectionId(String connectionId) {
        return jdbc.query("SELECT " + COLUMNS + FROM + "WHERE c.connection_id = ? ORDER BY c.id", ConnectionStore::row, connectionId);
    }

    /** Filters are optional (null = any); ordered by id; {@code afterId} pages. */
    public List<Connection> list(String integrationKey, String connectionId, String endUserId, long afterId, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + FROM + "WHERE c.id > ?");
        List<Object> args = new ArrayList<>();
        args.add(afterId);
        if (integrationKey != null) {
            sql.append(" AND i.unique_key = ?");
            args.add(integrationKey);
        }
        if (connectionId != null) {
            sql.append(" AND c.connection_id = ?");
            args.add(connectionId);
        }
        if (endUserId != null) {
            // end_user is JSON text; the id is matched exactly as it was serialised
            sql.append(" AND c.end_user LIKE ?");
            args.add("%\"id\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(endUserId).toString().replace("%", "\\%").replace("_", "\\_") + "%");
        }
        sql.append(" ORDER BY c.id LIMIT ?");
        args.add(limit);
        return jdbc.query(sql.toString(), ConnectionStore::row, args.toArray());
    }

    /**
     * Inserts or, when (integration, connection id) exists, replaces the credentials and config (re-authorisation);
     * end user, tags and webhook URL replace the row's when given, and a re-authorised row keeps its metadata.
     * @return true when a new row was created, false when an existing one was overridden
     */
    public boolean upsertAuthorized(NewConnection c, long now) {
        Integer updated = tx.execute(s -> {
            int n = jdbc.update("UPDATE connections SET access_token_enc=?, refresh_token_enc=?, raw_enc=?, expires_at=?, "
                        + "connection_config=?, end_user=COALESCE(?, end_user), tags=COALESCE(?, tags), "
                        + "webhook_url_override=COALESCE(?, webhook_url_override), refresh_state='ok', errors=?, refresh_failures=0, "
                        + "next_refresh_at=NULL, last_refresh_at=NULL, refresh_token_issued_at=?, lease_owner=NULL, lease_until=NULL, "
                        + "version=version+1, updated_at=? WHERE integration_id=? AND connection_id=?",
                    c.accessTokenEnc(), c.refreshTokenEnc(), c.rawEnc(), c.expiresAt(), c.connectionConfig(), c.endUser(), c.tags(),
                    c.webhookUrlOverride(), c.errors(), now, now, c.integrationId(), c.connectionId());
            if (n > 0) {
                recordReplaced(c.integrationId(), c.connectionId(), now);
            }
            return n;
        });
        if (updated != null && updated > 0) {
            replaced(c.integrationId(), c.connectionId());
            return false;
        }
        try {
            insert(c, now);
            return true;
        } catch (DuplicateKeyException race) {
            // a concurrent callback for the same connection won the insert: override it instead
            return upsertAuthorized(c, now);
        }
    }

    /** Plain insert; throws DuplicateKeyException when (integration, connection id) exists. */
    public void insert(NewConnection c, long now) {
        tx.executeWithoutResult(s -> {
            jdbc.update("INSERT INTO connections (integration_id, connection_id, access_token_enc, refresh_token_enc, raw_enc, expires_at, "
                            + "connection_config, metadata, end_user, tags, webhook_url_override, refresh_state, errors, refresh_token_issued_at, "
                            + "last_used_at, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,'ok',?,?,?,?,?)",
                    c.integrationId(), c.connectionId(), c.accessTokenEnc(), c.refreshTokenEnc(), c.rawEnc(), c.expiresAt(),
                    c.connectionConfig(), c.metadata(), c.endUser(), c.tags(), c.webhookUrlOverride(), c.errors(), now, now, now, now);
            recordReplaced(c.integrationId(), c.connectionId(), now);
        });
        replaced(c.integrationId(), c.connectionId());
    }

    /** A new row from an import; throws DuplicateKeyException when (integration, connection id) exists. */
    public void insertImported(long integrationId, String connectionId, ImportedConnection imp, long now) {
        insert(NewConnection.builder(integrationId, connectionId)
                .accessTokenEnc(imp.accessTokenEnc()).refreshTokenEnc(imp.refreshTokenEnc()).rawEnc(imp.rawEnc()).expiresAt(imp.expiresAt())
                .connectionConfig(imp.connectionConfig() == null ? "{}" : imp.connectionConfig()).metadata(imp.metadata())
                .endUser(imp.endUser()).tags(imp.tags()).webhookUrlOverride(imp.webhookUrlOverride())
                .build(), now);
    }

    /**
     * Re-import over an existing row, only while {@code owner} holds its refresh lease, releasing it in the same statement
     * (like storeRefreshed): the new pair replaces the old one at once and no refresh can be spending the old one meanwhile.
     * The row keeps its id; a failed refresh state is cleared, as the caller vouches for the new credentials.
     * @return false when the lease was not ours (expired and taken)
     */
    public boolean storeImported(long id, String owner, ImportedConnection imp, long now) {
        Connection before = findById(id);
        Boolean stored = tx.execute(s -> {
            boolean ok = jdbc.update("UPDATE connections SET access_token_enc=?, refresh_token_enc=?, raw_enc=?, expires_at=?, "
                        + "connection_config=COALESCE(?, connection_config), metadata=COALESCE(?, metadata), end_user=COALESCE(?, end_user), "
                        + "tags=COALESCE(?, tags), webhook_url_override=COALESCE(?, webhook_url_override), refresh_state='ok', errors=NULL, "
                        + "refresh_failures=0, next_refresh_at=NULL, last_refresh_at=NULL, refresh_token_issued_at=?, lease_owner=NULL, "
                        + "lease_until=NULL, version=version+1, updated_at=? WHERE id=? AND lease_owner=?",
                imp.accessTokenEnc(), imp.refreshTokenEnc(), imp.rawEnc(), imp.expiresAt(), imp.connectionConfig(), imp.metadata(),
                imp.endUser(), imp.tags(), imp.webhookUrlOverride(), now, now, id, owner) == 1;
            if (ok && before != null) {
                recordReplaced(before.integrationId(), before.connectionId(), now); // other nodes drop their cached token
            }
            return ok;
        });
        if (Boolean.TRUE.equals(stored) && before != null) {
            replaced(before.integrationId(), before.connectionId());
        }
        return Boolean.TRUE.equals(stored);
    }

    public boolean delete(Connection c, long now) {
        Boolean deleted = tx.execute(s -> {
            boolean d = jdbc.update("DELETE FROM connections WHERE id = ?", c.id()) > 0;
            recordReplaced(c.integrationId(), c.connectionId(), now);
            return d;
        });
        replaced(c.integrationId(), c.connectionId());
        return Boolean.TRUE.equals(deleted);
    }

    /** PATCH /connections/{id}: each value replaces the stored one; null keeps it. */
    public void patch(long id, String endUserJson, String tagsJson, String webhookUrlOverride, long now) {
        jdbc.update("UPDATE connections SET end_user=COALESCE(?, end_user), tags=COALESCE(?, tags), "
                + "webhook_url_override=COALESCE(?, webhook_url_override), updated_at=? WHERE id=?", endUserJson, tagsJson,
                webhookUrlOverride, now, id);
    }

    public void setMetadata(long id, String metadataJson, long now) {
        jdbc.update("UPDATE connections SET metadata=?, updated_at=? WHERE id=?", metadataJson, now, id);
    }

    public void setConnectionConfig(long id, String configJson, String errors, long now) {
        jdbc.update("UPDATE connections SET connection_config=?, errors=?, updated_at=? WHERE id=?", configJson, errors, now, id);
    }

    public void markFetched(long id, long now) {
        jdbc.update("UPDATE connections SET last_fetched_at=? WHERE id=?", now, id);
    }

    /** Records use of many connections at once (the proxy batches these off the hot path). */
    public void touchUsed(Collection<Long> ids, long now) {
        if (ids.isEmpty()) {
            return;
        }
        List<Object[]> batch = new ArrayList<>();
        for (Long id : ids) {
            batch.add(new Object[] {now, id});
        }
        jdbc.batchUpdate("UPDATE connections SET last_used_at=? WHERE id=?", batch);
    }

    /**
     * One keyset page (by id) of rows the refresh sweep may have to refresh: refreshable, not refresh_failed (those
     * stay failed until re-authorised, so reading them every minute would be waste), and either active and expiring before {@code dueBefore} or with a refresh token not spent since
     * {@code keepAliveBefore}. The OR of two index ranges (expires_at, refresh_token_issued_at; V4) keeps it cheap
     * when most connections need nothing. Rows backing off are returned (few, and temporary) so the sweep counts
     * them as skipped; SweepPolicy re-checks every row.
     */
    public List<Connection> sweepCandidates(long afterId, long dueBefore, long activeSince, long keepAliveBefore, int limit) {
        return jdbc.query("SELECT " + COLUMNS + FROM + "WHERE c.id > ? AND c.refresh_token_enc IS NOT NULL "
                        + "AND c.refresh_state <> 'refresh_failed' "
                        + "AND ((c.expires_at < ? AND c.last_used_at >= ?) "
                        + "OR (c.refresh_token_issued_at < ? AND (c.last_refresh_at IS NULL OR c.last_refresh_at < ?)) "
                        + "OR (c.refresh_token_issued_at IS NULL AND c.created_at < ? AND (c.last_refresh_at IS NULL OR c.last_refresh_at < ?))) "
                        + "ORDER BY c.id LIMIT ?",
                ConnectionStore::row, afterId, dueBefore, activeSince, keepAliveBefore, keepAliveBefore, keepAliveBefore,
                keepAliveBefore, limit);
    }

    /**
     * Rows whose refresh lease expired without being released: a refresh began and its node died before storing the
     * answer (storing, failing and giving up all release the lease). The provider may have rotated the refresh token
     * already; Atlassian accepts the previous one for 10 minutes, so these are refreshed before anything else.
     */
    public List<Connection> interruptedRefreshes(long now, int limit) {
        return jdbc.query("SELECT " + COLUMNS + FROM + "WHERE c.lease_owner IS NOT NULL AND c.lease_until < ? "
                        + "AND c.refresh_token_enc IS NOT NULL AND c.refresh_state <> 'refresh_failed' ORDER BY c.lease_until LIMIT ?",
                ConnectionStore::row, now, limit);
    }

    // ---- refresh lease (docs/ARCHITECTURE.md "Tokens and refresh") ----

    /** Takes the lease if nobody holds a live one. */
    public boolean tryLease(long id, String owner, long now, long until) {
        return jdbc.update("UPDATE connections SET lease_owner=?, lease_until=? WHERE id=? AND (lease_until IS NULL OR lease_until < ?)",
                owner, until, id, now) == 1;
    }

    public void releaseLease(long id, String owner) {
        jdbc.update("UPDATE connections SET lease_owner=NULL, lease_until=NULL WHERE id=? AND lease_owner=?", id, owner);
    }

    /**
     * Stores a refreshed pair and clears the lease in one statement, only while we still hold the lease.
     * @return false when the lease was lost (expired and taken by another node): the caller must not assume it stored
     */
    public boolean storeRefreshed(long id, String owner, String atEnc, String rtEnc, boolean rtRotated, String rawEnc,
                                  Long expiresAt, long now) {
        return jdbc.update("UPDATE connections SET access_token_enc=?, refresh_token_enc=?, raw_enc=?, expires_at=?, "
                        + "refresh_state='ok', errors=NULL, refresh_failures=0, next_refresh_at=NULL, last_refresh_at=?, "
                        + "refresh_token_issued_at=CASE WHEN ? THEN ? ELSE refresh_token_issued_at END, "
                        + "lease_owner=NULL, lease_until=NULL, version=version+1, updated_at=? WHERE id=? AND lease_owner=?",
                atEnc, rtEnc, rawEnc, expiresAt, now, rtRotated, now, now, id, owner) == 1;
    }

    /** Records a failed refresh and clears the lease. */
    public void storeRefreshFailure(long id, String owner, String state, String errorsJson, int failures, Long nextRefreshAt, long now) {
        jdbc.update("UPDATE connections SET refresh_state=?, errors=?, refresh_failures=?, next_refresh_at=?, lease_owner=NULL, "
                        + "lease_until=NULL, version=version+1, updated_at=? WHERE id=? AND lease_owner=?",
                state, errorsJson, failures, nextRefreshAt, now, id, owner);
    }

    static Connection row(ResultSet rs, int n) throws SQLException {
        return new Connection(rs.getLong("id"), rs.getLong("integration_id"), rs.getString("unique_key"), rs.getString("provider"),
                rs.getString("connection_id"), rs.getString("access_token_enc"), rs.getString("refresh_token_enc"), rs.getString("raw_enc"),
                longOrNull(rs, "expires_at"), rs.getString("connection_config"), rs.getString("metadata"), rs.getString("end_user"),
                rs.getString("tags"), rs.getString("webhook_url_override"), rs.getString("refresh_state"), rs.getString("errors"),
                rs.getInt("refresh_failures"), longOrNull(rs, "next_refresh_at"), longOrNull(rs, "last_refresh_at"),
                longOrNull(rs, "refresh_token_issued_at"), longOrNull(rs, "last_used_at"), longOrNull(rs, "last_fetched_at"),
                rs.getString("lease_owner"), longOrNull(rs, "lease_until"), rs.getLong("version"), rs.getLong("created_at"),
                rs.getLong("updated_at"));
    }

    private static Long longOrNull(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}
