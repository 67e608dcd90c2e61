package org.hyphae.storage.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;

import org.hyphae.storage.StorageException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.postgresql.ds.PGSimpleDataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * The connection pool both PostgreSQL stores share, and the schema they keep their tables in.
 * Needs its configuration (PID {@value #PID}): without one, the jdbc stores stay away rather than
 * fail every call against a database nobody set up.
 *
 * <p>The pool is created without connecting, so a database that is down at start-up does not stop
 * the component; every call then fails after {@code connect.timeout.ms} with an error naming the
 * connection, and works again once the database is back (the pool opens new connections).
 */
@Component(service = PostgresConnections.class, configurationPid = PostgresConnections.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = PostgresConnections.Config.class)
public final class PostgresConnections implements AutoCloseable {

    static final String PID = "org.hyphae.storage.jdbc";
    static final String KIND = "jdbc";

    /** Where the database is. */
    @ObjectClassDefinition(name = "Hyphae PostgreSQL storage",
            description = "The PostgreSQL database that the jdbc block store and datastore use.")
    public @interface Config {
        /** JDBC URL. */
        @AttributeDefinition(name = "URL", description = "JDBC URL, e.g. jdbc:postgresql://db.example:5432/hyphae")
        String url() default "jdbc:postgresql://127.0.0.1:5432/hyphae";

        /** User name. */
        @AttributeDefinition(name = "User")
        String user() default "hyphae";

        /** Password. */
        @AttributeDefinition(name = "Password", type = AttributeType.PASSWORD)
        String _password() default "";

        /** Pool size. */
        @AttributeDefinition(name = "Pool size", description = "Most connections held open at once.", min = "1")
        int pool_size() default 8;

        /** Schema of the tables. */
        @AttributeDefinition(name = "Schema", description = "Schema that holds the tables; created if missing.")
        String schema() default "public";

        /** How long a call waits for a connection. */
        @AttributeDefinition(name = "Connect timeout (ms)",
                description = "How long a call waits for a connection before failing.", min = "250")
        long connect_timeout_ms() default 5000;
    }

    private final HikariDataSource pool;
    private final String description;
    private final String schema;
    private volatile boolean schemaReady;

    /**
     * Creates the pool from the configuration; does not connect yet.
     *
     * @param config the configuration
     */
    @Activate
    public PostgresConnections(Config config) {
        this(config.url(), config.user(), config._password(), config.pool_size(), config.schema(), config.connect_timeout_ms());
    }

    /**
     * Creates the pool; does not connect yet.
     *
     * @param url the JDBC URL
     * @param user the user
     * @param password the password
     * @param poolSize most connections at once
     * @param schema the schema for the tables
     * @param connectTimeoutMillis how long a call waits for a connection
     */
    public PostgresConnections(String url, String user, String password, int poolSize, String schema,
            long connectTimeoutMillis) {
        if (!schema.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("schema must be a plain lower-case SQL identifier, got \"" + schema + "\"");
        }
        this.schema = schema;
        this.description = "PostgreSQL " + url + " as " + user;
        // The driver's DataSource directly: DriverManager cannot see drivers of other bundles.
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setURL(url);
        source.setUser(user);
        source.setPassword(password);
        source.setConnectTimeout((int) Math.max(1, connectTimeoutMillis / 1000));
        source.setApplicationName("hyphae");
        HikariConfig config = new HikariConfig();
        config.setDataSource(source);
        config.setPoolName("hyphae-storage");
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(Math.min(2, poolSize));
        config.setConnectionTimeout(connectTimeoutMillis);
        config.setValidationTimeout(Math.min(connectTimeoutMillis, 2000));
        config.setInitializationFailTimeout(-1);
        config.setAutoCommit(true);
        this.pool = new HikariDataSource(config);
    }

    /**
     * Names the connection for error messages, without the password.
     *
     * @return e.g. {@code PostgreSQL jdbc:postgresql://127.0.0.1:5432/hyphae as hyphae}
     */
    String describe() {
        return description;
    }

    /**
     * Returns a table's qualified name.
     *
     * @param table the table's own name
     * @return {@code schema.table}
     */
    String table(String table) {
        return schema + "." + table;
    }

    /** One unit of work on a connection. */
    @FunctionalInterface
    interface Work<R> {
        R run(Connection connection) throws SQLException, StorageException;
    }

    /**
     * Runs idempotent work on a pooled connection, creating the tables first if needed. A failure of
     * the connection itself (the server restarted, the connection was killed) is retried once on a
     * fresh connection; anything else, and a second failure, is an error naming the connection.
     *
     * @param what what is being done, for the error message
     * @param work the work
     * @return its result
     * @throws StorageException naming the connection
     */
    <R> R call(String what, Work<R> work) throws StorageException {
        SQLException first = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            try (Connection connection = pool.getConnection()) {
                ensureSchema(connection);
                return work.run(connection);
            } catch (SQLException e) {
                if (first == null && isConnectionFailure(e)) {
                    first = e;
                    evictIdle();
                    continue;
                }
                if (first != null) {
                    e.addSuppressed(first);
                }
                throw failure(what, e);
            }
        }
        throw failure(what, first);
    }

    /**
     * Borrows a connection, with the tables in place, for work that outlives one call (a scan).
     * The caller closes it, which returns it to the pool.
     *
     * @param what what it is for, for the error message
     * @return the connection
     * @throws StorageException naming the connection
     */
    Connection connection(String what) throws StorageException {
        SQLException first = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            Connection connection = null;
            try {
                connection = pool.getConnection();
                ensureSchema(connection);
                return connection;
            } catch (SQLException e) {
                if (connection != null) {
                    try {
                        connection.close();
                    } catch (SQLException closing) {
                        e.addSuppressed(closing);
                    }
                }
                if (first == null && isConnectionFailure(e)) {
                    first = e;
                    evictIdle();
                    continue;
                }
                throw failure(what, e);
            }
        }
        throw failure(what, first);
    }

    /**
     * One dead connection usually means they all are (the server restarted, or an operator killed
     * the sessions): drop the idle ones so the retry gets a fresh connection, not the next corpse.
     */
    private void evictIdle() {
        var bean = pool.getHikariPoolMXBean();
        if (bean != null) {
            bean.softEvictConnections();
        }
    }

    StorageException failure(String what, SQLException e) {
        String state = e.getSQLState() == null ? "" : " (SQLState " + e.getSQLState() + ")";
        String reason = isConnectionFailure(e) ? "database unreachable: " : "";
        return new StorageException(what + ": " + reason + e.getMessage() + state, description, e);
    }

    static boolean isConnectionFailure(SQLException e) {
        String state = e.getSQLState();
        return e instanceof SQLTransientConnectionException
                || (state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                        || state.equals("57P03")));
    }

    private void ensureSchema(Connection connection) throws SQLException {
        if (schemaReady) {
            return;
        }
        synchronized (this) {
            if (schemaReady) {
                return;
            }
            boolean auto = connection.getAutoCommit();
            try (Statement s = connection.createStatement()) {
                connection.setAutoCommit(false);
                // Several nodes may share a database: serialise the DDL on an advisory lock.
                s.execute("SELECT pg_advisory_xact_lock(7461837)");
                s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
                s.execute("CREATE TABLE IF NOT EXISTS " + table("hyphae_blocks")
                        + " (cid bytea PRIMARY KEY, data bytea NOT NULL)");
                // Blocks are mostly compressed or random: storing them uncompressed saves CPU for nothing lost.
                s.execute("ALTER TABLE " + table("hyphae_blocks") + " ALTER COLUMN data SET STORAGE EXTERNAL");
                s.execute("CREATE TABLE IF NOT EXISTS " + table("hyphae_datastore")
                        + " (k bytea PRIMARY KEY, v bytea NOT NULL)");
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(auto);
            }
            schemaReady = true;
        }
    }

    /** Closes the pool. */
    @Deactivate
    @Override
    public void close() {
        pool.close();
    }
}
