package org.hyphae.storage.jdbc;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL server the tests use: system property {@code hyphae.test.jdbc.url} (with
 * {@code hyphae.test.jdbc.user} and {@code .password}), or the file that
 * {@code scripts/postgres-test-server.sh start} writes. Under CI (env {@code CI=true}) a missing or
 * unreachable server fails the tests; on a developer's machine they are skipped, loudly.
 */
final class TestDatabase {

    final String url;
    final String user;
    final String password;
    final Properties properties;

    private TestDatabase(String url, String user, String password, Properties properties) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.properties = properties;
    }

    static Path propertiesFile() {
        String dir = System.getenv("HYPHAE_PG_DIR");
        if (dir == null) {
            String tmp = System.getenv("TMPDIR");
            dir = (tmp == null ? "/tmp" : tmp) + "/hyphae-postgres-test";
        }
        return Path.of(dir, "jdbc.properties");
    }

    static TestDatabase require() {
        Properties p = new Properties();
        String url = System.getProperty("hyphae.test.jdbc.url");
        if (url != null) {
            p.setProperty("url", url);
            p.setProperty("user", System.getProperty("hyphae.test.jdbc.user", "hyphae"));
            p.setProperty("password", System.getProperty("hyphae.test.jdbc.password", ""));
        } else if (Files.isRegularFile(propertiesFile())) {
            try (Reader in = Files.newBufferedReader(propertiesFile())) {
                p.load(in);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + propertiesFile(), e);
            }
        }
        String problem = null;
        if (p.getProperty("url") == null) {
            problem = "no PostgreSQL test server: run scripts/postgres-test-server.sh start (it writes "
                    + propertiesFile() + ") or pass -Dhyphae.test.jdbc.url=...";
        } else {
            try (Connection c = DriverManager.getConnection(p.getProperty("url"), p.getProperty("user"),
                    p.getProperty("password"))) {
                c.isValid(2);
            } catch (SQLException e) {
                problem = "PostgreSQL test server at " + p.getProperty("url") + " is unreachable (" + e.getMessage()
                        + "): run scripts/postgres-test-server.sh start";
            }
        }
        if (problem != null) {
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(problem);
            }
            System.err.println("\n**********************************************************************\n"
                    + "SKIPPING the PostgreSQL storage tests: " + problem
                    + "\n**********************************************************************\n");
            Assumptions.abort(problem);
        }
        return new TestDatabase(p.getProperty("url"), p.getProperty("user"), p.getProperty("password"), p);
    }

    /** A new, empty schema so that tests never see each other's rows. */
    String newSchema() {
        return "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    PostgresConnections connections(String schema) {
        return new PostgresConnections(url, user, password, 4, schema, 3000);
    }

    void dropSchema(String schema) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
