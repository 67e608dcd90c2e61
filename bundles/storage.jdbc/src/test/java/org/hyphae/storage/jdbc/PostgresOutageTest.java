package org.hyphae.storage.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.hyphae.storage.StorageException;
import org.hyphae.storage.testkit.SampleBlock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A database that is down, whose connections are killed, or that restarts mid-run. */
class PostgresOutageTest {

    private TestDatabase database;
    private String schema;
    private PostgresConnections connections;
    private final Random random = new Random(11);

    @BeforeEach
    void connect() {
        database = TestDatabase.require();
        schema = database.newSchema();
        connections = database.connections(schema);
    }

    @AfterEach
    void drop() throws Exception {
        if (connections == null) {
            return; // no server here: connect() skipped the test
        }
        connections.close();
        database.dropSchema(schema);
    }

    @Test
    void aDatabaseThatIsDownGivesAnErrorNamingTheConnection() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/nowhere";
        try (PostgresConnections down = new PostgresConnections(url, "hyphae", "x", 2, "public", 1000)) {
            PostgresDatastore store = new PostgresDatastore(down);
            long start = System.nanoTime();
            StorageException e = assertThrows(StorageException.class, () -> store.put(new byte[] {1}, new byte[] {2}));
            assertTrue(e.getMessage().contains(url), e.getMessage());
            assertTrue(e.getMessage().contains("key 01"), e.getMessage());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "fails within the connect timeout");
        }
    }

    @Test
    void killedConnectionsAreReplacedWithoutAnError() throws Exception {
        PostgresBlockStore store = new PostgresBlockStore(connections);
        SampleBlock first = SampleBlock.random(random, 1000);
        store.put(first.cid(), first.data());
        database.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'hyphae'"
                + " AND pid <> pg_backend_pid()");
        SampleBlock second = SampleBlock.random(random, 1000);
        store.put(second.cid(), second.data());
        assertArrayEquals(first.data(), store.get(first.cid()).orElseThrow());
        assertArrayEquals(second.data(), store.get(second.cid()).orElseThrow());
    }

    @Test
    void aServerRestartFailsCallsNamingTheConnectionThenTheStoreRecovers() throws Exception {
        String pgCtl = database.properties.getProperty("pg_ctl");
        String data = database.properties.getProperty("data");
        org.junit.jupiter.api.Assumptions.assumeTrue(pgCtl != null && data != null,
                "the server was not started by scripts/postgres-test-server.sh, so this test cannot restart it");
        PostgresDatastore store = new PostgresDatastore(connections);
        List<byte[]> acknowledged = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte[] key = ("before-" + i).getBytes();
            store.put(key, key);
            acknowledged.add(key);
        }
        int port = URI.create(database.url.substring("jdbc:".length())).getPort();
        pgCtl(pgCtl, "-D", data, "-m", "fast", "-w", "stop");
        try {
            StorageException e = assertThrows(StorageException.class, () -> store.put("during".getBytes(), new byte[1]));
            assertTrue(e.getMessage().contains(database.url), e.getMessage());
            assertTrue(e.resource().orElseThrow().contains(database.url));
        } finally {
            pgCtl(pgCtl, "-D", data, "-l", data + "/../postgres.log", "-w", "-t", "60",
                    "-o", "-c listen_addresses=127.0.0.1 -p " + port + " -k " + data, "start");
        }
        byte[] after = "after".getBytes();
        store.put(after, after);
        acknowledged.add(after);
        for (byte[] key : acknowledged) {
            assertArrayEquals(key, store.get(key).orElseThrow(), "no acknowledged write is lost: " + new String(key));
        }
    }

    private static void pgCtl(String pgCtl, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add(pgCtl);
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("pg_ctl " + String.join(" ", args) + " failed: " + out);
        }
    }
}
