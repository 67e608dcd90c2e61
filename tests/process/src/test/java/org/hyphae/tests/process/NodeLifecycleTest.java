package org.hyphae.tests.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.hyphae.identity.PeerId;
import org.hyphae.tests.support.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator sees: bin/hyphae starts, reports who it is, keeps its identity, stops cleanly. */
class NodeLifecycleTest {

    /** Exit status of a JVM that ran its shutdown hooks after SIGTERM (128 + 15). */
    private static final int SIGTERM_EXIT = 143;

    @TempDir
    Path work;

    @Test
    void headlessNodeStartsWithEmbeddedDefaultsKeepsItsIdentityAndStopsOnSigterm() throws Exception {
        PeerId first;
        try (NodeProcess node = NodeProcess.start(work, "--headless", "--port", "0")) {
            String line = node.awaitLine(l -> l.startsWith("PeerID: "), 30);
            first = PeerId.parse(line.substring("PeerID: ".length()).trim());
            String ready = node.awaitLine(l -> l.startsWith("Node ready in "), 30);
            System.out.println("[process] first start: " + ready + ", seen by the test after "
                    + node.millisSinceStart() + " ms");
            assertTrue(Files.exists(work.resolve("data/identity.key")), "default data directory is ./data");
            assertTrue(Files.isDirectory(work.resolve("data/config")), "config folder seeded");
            assertEquals(SIGTERM_EXIT, node.terminate(30), node.output());
        }
        try (NodeProcess node = NodeProcess.start(work, "--headless", "--port", "0")) {
            String line = node.awaitLine(l -> l.startsWith("PeerID: "), 30);
            assertEquals(first, PeerId.parse(line.substring("PeerID: ".length()).trim()), "same identity after restart");
            String ready = node.awaitLine(l -> l.startsWith("Node ready in "), 30);
            System.out.println("[process] second start: " + ready);
            node.terminate(30);
        }
    }

    @Test
    void interactiveShellAnswersHyphaeCommands() throws Exception {
        try (NodeProcess node = NodeProcess.start(work, "--port", "0", "--data", work.resolve("shell-node").toString())) {
            String peer = node.awaitLine(l -> l.startsWith("PeerID: "), 30).substring("PeerID: ".length()).trim();
            Writer stdin = node.stdin();
            stdin.write("hyphae:id\n");
            stdin.write("hyphae:status\n");
            stdin.flush();
            node.awaitLine(l -> l.contains("PeerID (CID): " + PeerId.parse(peer).toCid()), 30);
            node.awaitLine(l -> l.contains("identity   ACTIVE"), 30);
            // "exit" leaves the shell and, as in Felix's own launcher, stops the node.
            stdin.write("exit 0\n");
            stdin.flush();
            assertEquals(0, node.awaitExit(30), node.output());
        }
    }

    @Test
    void corruptKeyFileStopsTheNodeNamingTheFileAndIsNotOverwritten() throws Exception {
        Path data = Files.createDirectories(work.resolve("broken"));
        Path key = data.resolve("identity.key");
        byte[] garbage = "this is not a key, but it is somebody's file".getBytes();
        Files.write(key, garbage);
        try (NodeProcess node = NodeProcess.start(work, "--headless", "--port", "0", "--data", data.toString())) {
            int status = node.awaitExit(30);
            assertNotEquals(0, status, node.output());
            assertTrue(node.output().contains(key.toAbsolutePath().toString()), node.output());
            assertTrue(node.output().contains("not a libp2p PrivateKey"), node.output());
        }
        assertArrayEquals(garbage, Files.readAllBytes(key), "the key file is left as it was");
    }

    @Test
    void badCommandLineIsExplained() throws Exception {
        try (NodeProcess node = NodeProcess.start(work, "--port", "nope")) {
            assertEquals(2, node.awaitExit(30));
            assertTrue(node.output().contains("--port must be a number"), node.output());
        }
    }
}
