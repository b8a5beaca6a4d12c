package io.agcgateway.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.agcgateway.config.GatewaySettings;
import io.agcgateway.config.StartupException;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/** Opens the store (embedded H2 or PostgreSQL) and brings its schema up to date with Flyway. */
public final class Database {

    private Database() {
    }

    /**
     * A failure of the connection to the database, not of one statement: the pool's wait ran out
     * ({@link java.sql.SQLTransientConnectionException}), a connection broke (SQLSTATE class 08), or PostgreSQL is shutting
     * down or starting (57P01-57P03). The pool, the API's error answer and the operation log all decide on this.
     */
    public static boolean connectionLost(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return e instanceof java.sql.SQLTransientConnectionException || e instanceof java.sql.SQLNonTransientConnectionException
                || state.startsWith("08") || state.startsWith("57P");
    }

    /**
     * Brings the schema up to date: the shared migrations, plus PostgreSQL's own (Quartz's tables). The placeholder sets
     * what differs per database in a shared migration (V8: the operations id cache). PostgreSQL's own series starts at
     * V1000, so a shared migration added later (V7, V8, ...) has a lower version than one already applied there: out of
     * order is allowed, else Flyway refuses to start an existing PostgreSQL database ("resolved migration not applied").
     */
    public static void migrate(javax.sql.DataSource ds, boolean postgres) {
        Flyway.configure()
                .dataSource(ds)
                .locations(postgres ? new String[] {"classpath:db/migration", "classpath:db/postgresql"} : new String[] {"classpath:db/migration"})
                .placeholders(java.util.Map.of("operations_id_cache", postgres ? "1" : "10000"))
                .outOfOrder(true)
                .load()
                .migrate();
    }

    public static HikariDataSource open(GatewaySettings settings) {
        HikariConfig cfg = new HikariConfig();
        String url = settings.dbUrl();
        if (url.isEmpty()) {
            try {
                Files.createDirectories(settings.dataDir());
            } catch (IOException e) {
                throw new StartupException("setting gateway.data-dir (env GATEWAY_DATA_DIR): cannot create "
                        + settings.dataDir() + ": " + e.getMessage());
            }
            // DB_CLOSE_ON_EXIT=FALSE: Camel closes the pool on shutdown, H2 must not close first.
            // WRITE_DELAY=0: H2 writes every commit to the file before answering (its default 500 ms kept the commits of
            // the last half second in memory only: lost on kill -9 although the API had answered). The write is not
            // fsync-ed: it survives a crash of the process, not of the machine (docs/RELIABILITY.md).
            // CACHE_SIZE: a small page cache (gateway.db.h2-cache-kb), so the pages of written operation rows die young
            url = "jdbc:h2:file:" + settings.dataDir().resolve("gateway") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;CACHE_SIZE="
                    + settings.integer("gateway.db.h2-cache-kb", 256, 1 << 20);
            cfg.setUsername("sa");
        } else {
            cfg.setUsername(settings.raw("gateway.db.user"));
            cfg.setPassword(settings.raw("gateway.db.password"));
        }
        cfg.setJdbcUrl(url);
        cfg.setPoolName("gateway-db");
        cfg.setMaximumPoolSize(settings.integer("gateway.db.pool-size", 2, 500));
        cfg.setConnectionTimeout(5000);
        cfg.setInitializationFailTimeout(5000);
        HikariDataSource ds;
        try {
            // while the database is unreachable, API calls answer 503 at once instead of each waiting the 5 s above
            ds = new FailFastDataSource(cfg, settings.duration("gateway.db.fail-fast-window").toMillis());
        } catch (HikariPool.PoolInitializationException e) {
            throw new StartupException(describe(settings, e));
        } catch (RuntimeException e) {
            throw new StartupException(describe(settings, e));
        }
        try {
            migrate(ds, settings.isPostgres());
        } catch (FlywayException e) {
            ds.close();
            throw new StartupException("database migration failed: " + firstLine(e.getMessage())
                    + ": check that this database belongs to agc-gateway and its user may create tables");
        }
        return ds;
    }

    private static String describe(GatewaySettings settings, Exception e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String msg = firstLine(root.getMessage());
        if (settings.dbUrl().isEmpty()) {
            if (msg.contains("already in use") || msg.contains("locked") || msg.contains("Locked by another process")) {
                return "setting gateway.data-dir (env GATEWAY_DATA_DIR): the H2 store in " + settings.dataDir()
                        + " is in use by another gateway process: stop it or point GATEWAY_DATA_DIR elsewhere";
            }
            return "setting gateway.data-dir (env GATEWAY_DATA_DIR): cannot open the H2 store in " + settings.dataDir() + ": " + msg;
        }
        String hint = root instanceof SQLException sql && "28P01".equals(sql.getSQLState())
                ? "check GATEWAY_DB_USER and GATEWAY_DB_PASSWORD"
                : "check that PostgreSQL is running and GATEWAY_DB_URL is right";
        return "setting gateway.db.url (env GATEWAY_DB_URL): cannot connect to the database: " + msg + ": " + hint;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        String line = s.strip().split("\\R", 2)[0];
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
