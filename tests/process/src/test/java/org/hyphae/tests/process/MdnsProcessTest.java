package org.hyphae.tests.process;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import org.hyphae.tests.support.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two assembled nodes as separate processes on this machine find each other through mDNS
 * (224.0.0.251:5353, multicast loopback), keep each other in their peer stores with source
 * {@code mdns}, and the dialer connects them; after a restart the peer store still knows the other
 * node (read back from the datastore).
 */
class MdnsProcessTest {

    @TempDir
    static Path work;
    private static final AtomicInteger MARK = new AtomicInteger();

    @Test
    void twoNodesFindAndConnectToEachOther() throws Exception {
        Path dirA = Files.createDirectories(work.resolve("a"));
        Path dirB = Files.createDirectories(work.resolve("b"));
        String idB;
        try (NodeProcess a = NodeProcess.start(dirA, "--port", "0");
                NodeProcess b = NodeProcess.start(dirB, "--port", "0")) {
            String idA = a.awaitLine(l -> l.startsWith("PeerID: "), 180).substring(8).trim();
            idB = b.awaitLine(l -> l.startsWith("PeerID: "), 180).substring(8).trim();
            a.awaitLine(l -> l.startsWith("Node ready in"), 180);
            b.awaitLine(l -> l.startsWith("Node ready in"), 180);
            a.awaitLine(l -> l.contains("mDNS found " + idB), 120);
            b.awaitLine(l -> l.contains("mDNS found " + idA), 120);
            String record = awaitCommand(a, "hyphae:peerstore " + idB, "mdns", 60);
            assertTrue(record.lines().anyMatch(l -> l.startsWith("ADDR /ip4/127.0.0.1/tcp/") && l.contains("mdns")), record);
            String peers = awaitCommand(a, "hyphae:peers", idB, 90);
            assertTrue(peers.contains(idB), "the dialer connected a to b:\n" + peers);
            String list = command(a, "hyphae:peerstore", 30);
            assertTrue(list.lines().anyMatch(l -> l.startsWith("PEER " + idB) && l.contains("connected")), list);
            a.terminate(60);
            b.terminate(60);
        }
        // The record is in a's datastore: after a restart (b gone) a still knows b.
        try (NodeProcess a = NodeProcess.start(dirA, "--port", "0")) {
            a.awaitLine(l -> l.startsWith("Node ready in"), 180);
            a.awaitLine(l -> l.contains("peer store: read "), 60);
            String record = awaitCommand(a, "hyphae:peerstore " + idB, "ADDR ", 60);
            assertTrue(record.contains("PEER " + idB), record);
            a.terminate(60);
        }
    }

    private static String awaitCommand(NodeProcess node, String line, String wanted, long seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        String out = "";
        while (System.nanoTime() < deadline) {
            out = command(node, line, 30);
            if (out.contains(wanted)) {
                return out;
            }
            Thread.sleep(1000);
        }
        return out;
    }

    private static String command(NodeProcess node, String line, long seconds) throws Exception {
        int before = node.output().split("\n").length;
        Writer shell = node.stdin();
        String mark = "peers-mark-" + MARK.incrementAndGet();
        shell.write(line + "\n" + "echo " + mark + "\n");
        shell.flush();
        node.awaitLine(l -> l.contains(mark) && !l.contains("echo"), seconds);
        String[] lines = node.output().split("\n");
        StringBuilder out = new StringBuilder();
        for (int i = before; i < lines.length; i++) {
            out.append(lines[i].replaceFirst("^g! ", "")).append('\n');
        }
        return out.toString();
    }
}
