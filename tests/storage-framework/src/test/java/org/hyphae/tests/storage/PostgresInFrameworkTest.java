package org.hyphae.tests.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.Properties;
import java.util.UUID;

import org.apache.felix.service.command.CommandProcessor;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.Datastore;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * The jdbc bundle in the framework: pgjdbc, HikariCP and slf4j resolve, the stores stay away until
 * configured, then work against the test server, and fs data migrates into them.
 */
class PostgresInFrameworkTest {

    @InjectBundleContext
    BundleContext context;

    @Test
    void configuredJdbcStoresWorkAndTakeAMigration(@InjectService ConfigurationAdmin configAdmin,
            @InjectService CommandProcessor shell, @InjectService(filter = "(storage.kind=fs)") Datastore fs)
            throws Exception {
        assertTrue(context.getServiceReferences(BlockStore.class, "(storage.kind=jdbc)").isEmpty(),
                "no jdbc store before it is configured");
        Properties db = testDatabase();
        String schema = "f_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        Configuration jdbc = configAdmin.getConfiguration("org.hyphae.storage.jdbc", "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("url", db.getProperty("url"));
        props.put("user", db.getProperty("user"));
        props.put(".password", db.getProperty("password"));
        props.put("schema", schema);
        jdbc.update(props);
        try {
            StorageSwapTest.await(() -> !references(BlockStore.class, "(storage.kind=jdbc)").isEmpty()
                    && !references(Datastore.class, "(storage.kind=jdbc)").isEmpty(), "jdbc stores registered");
            Datastore postgres = context.getService(
                    context.getServiceReferences(Datastore.class, "(storage.kind=jdbc)").iterator().next());
            postgres.put("in-osgi".getBytes(StandardCharsets.UTF_8), new byte[] {1});
            assertArrayEquals(new byte[] {1}, postgres.get("in-osgi".getBytes(StandardCharsets.UTF_8)).orElseThrow());

            fs.put("from-fs".getBytes(StandardCharsets.UTF_8), new byte[] {2});
            String migrate = StorageSwapTest.run(shell, "hyphae:storage-migrate fs jdbc");
            assertTrue(migrate.contains("all verified"), migrate);
            assertArrayEquals(new byte[] {2}, postgres.get("from-fs".getBytes(StandardCharsets.UTF_8)).orElseThrow());
            String storage = StorageSwapTest.run(shell, "hyphae:storage");
            assertTrue(storage.contains("jdbc"), storage);
        } finally {
            jdbc.delete();
            // The driver's DataSource directly: DriverManager cannot see the driver bundle from here.
            org.postgresql.ds.PGSimpleDataSource source = new org.postgresql.ds.PGSimpleDataSource();
            source.setURL(db.getProperty("url"));
            try (var c = source.getConnection(db.getProperty("user"), db.getProperty("password"));
                    var s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    private java.util.Collection<?> references(Class<?> type, String filter) {
        try {
            return context.getServiceReferences(type, filter);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Same lookup as the storage.jdbc unit tests: CI must have a server, a developer may skip. */
    private static Properties testDatabase() throws Exception {
        String dir = System.getenv("HYPHAE_PG_DIR");
        if (dir == null) {
            String tmp = System.getenv("TMPDIR");
            dir = (tmp == null ? "/tmp" : tmp) + "/hyphae-postgres-test";
        }
        Path file = Path.of(dir, "jdbc.properties");
        Properties p = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader in = Files.newBufferedReader(file)) {
                p.load(in);
            }
        }
        if (p.getProperty("url") == null) {
            String problem = "no PostgreSQL test server (" + file + "): run scripts/postgres-test-server.sh start";
            if ("true".equals(System.getenv("CI"))) {
                fail(problem);
            }
            System.err.println("SKIPPING the in-framework PostgreSQL test: " + problem);
            Assumptions.abort(problem);
        }
        return p;
    }
}
