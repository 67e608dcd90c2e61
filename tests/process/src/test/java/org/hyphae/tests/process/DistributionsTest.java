package org.hyphae.tests.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.hyphae.tests.support.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay and seed distributions, as assembled from their .bndrun files, start and serve their
 * protocols: a full node and a relay bootstrap from a seed, the full node finds the relay through
 * the seed's DHT, and gossip flows both ways between the full node and the relay.
 */
class DistributionsTest {

    private static final long WAIT = 180;
    private static final String TOPIC = "distributions-test";

    @TempDir
    Path work;

    @Test
    void relayAndSeedServeAFullNode() throws Exception {
        Path relayHome = NodeProcess.distribution("relay");
        Path seedHome = NodeProcess.distribution("seed");
        assertTrue(bundleNames(relayHome).stream().noneMatch(n -> n.contains("storage") || n.contains("files")
                || n.contains("h2-") || n.contains("postgresql")), "a relay has no stores: " + bundleNames(relayHome));
        assertTrue(bundleNames(seedHome).stream().anyMatch(n -> n.startsWith("org.hyphae.discovery.kad")));
        assertTrue(bundleNames(seedHome).stream().noneMatch(n -> n.contains("gossipsub") || n.contains("files")),
                "a seed has no pubsub or files: " + bundleNames(seedHome));

        try (NodeProcess seed = NodeProcess.start(seedHome, Files.createDirectories(work.resolve("seed")), "--port", "0");
                NodeProcess relay = NodeProcess.start(relayHome, Files.createDirectories(work.resolve("relay")), "--port", "0");
                NodeProcess full = NodeProcess.start(Files.createDirectories(work.resolve("full")), "--port", "0")) {
            String seedAddress = tcpAddress(seed);
            String relayId = peerId(relay);
            String fullId = peerId(full);
            tcpAddress(relay);
            tcpAddress(full);

            // The seed runs the DHT as a server, keeps its records in the fs Datastore, has no pubsub.
            seed.command("hyphae:routing-table", l -> l.contains("server"), WAIT);
            seed.command("hyphae:status", l -> l.startsWith("pubsub") && l.contains("(none installed)"), WAIT);
            seed.command("hyphae:status", l -> l.contains("ACTIVE") && l.contains("org.hyphae.storage.fs"), WAIT);
            // The relay: no stores, GossipSub active.
            relay.command("hyphae:status", l -> l.startsWith("blocks") && l.contains("(none installed)"), WAIT);
            relay.command("hyphae:status", l -> l.contains("org.hyphae.pubsub.gossipsub"), WAIT);

            relay.command("hyphae:dht-bootstrap " + seedAddress, l -> l.contains("BOOTSTRAPPED"), WAIT);
            full.command("hyphae:dht-bootstrap " + seedAddress, l -> l.contains("BOOTSTRAPPED"), WAIT);
            String found = full.command("hyphae:find-peer " + relayId,
                    l -> l.contains("FOUND") || l.contains("NOT FOUND") || l.contains("rror"), WAIT);
            assertTrue(found.contains("FOUND " + relayId) && !found.contains("NOT FOUND"),
                    "the seed told where the relay is: " + found);
            String relayTcp = Stream.of(found.split(" ")).filter(a -> a.contains("/tcp/") && !a.contains("/ws"))
                    .findFirst().orElseThrow(() -> new AssertionError("no TCP address in " + found));
            if (!relayTcp.contains("/p2p/")) {
                relayTcp += "/p2p/" + relayId;
            }
            full.command("hyphae:connect " + relayTcp, l -> l.contains(relayId) || l.contains("rror"), WAIT);

            relay.command("hyphae:sub " + TOPIC, l -> l.contains("subscribed to " + TOPIC), WAIT);
            full.command("hyphae:sub " + TOPIC, l -> l.contains("subscribed to " + TOPIC), WAIT);
            // Both know each other through the DHT lookup; wait until GossipSub sees the other side on the topic.
            awaitTopicPeer(full, relayId);
            awaitTopicPeer(relay, fullId);
            publishUntilSeen(full, relay, "hello-from-the-full-node");
            publishUntilSeen(relay, full, "hello-from-the-relay");

            // The seed learnt both peers.
            String table = seed.command("hyphae:routing-table", l -> l.contains(relayId) || l.contains(fullId), WAIT);
            assertFalse(table.isEmpty());
            for (NodeProcess node : List.of(full, relay, seed)) {
                assertEquals(143, node.terminate(30), node.output());
            }
        }
    }

    private static void awaitTopicPeer(NodeProcess node, String peer) throws Exception {
        long deadline = System.nanoTime() + WAIT * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            int mark = node.lineCount();
            node.command("hyphae:topics", l -> l.contains("peer(s)"), WAIT);
            Thread.sleep(300);
            if (node.output().lines().skip(mark).anyMatch(l -> l.contains(peer))) {
                return;
            }
            Thread.sleep(700);
        }
        throw new AssertionError(peer + " never joined " + TOPIC + ":\n" + node.output());
    }

    /** Gossip is best effort while the mesh forms: publish again until the other side prints it. */
    private static void publishUntilSeen(NodeProcess from, NodeProcess to, String text) throws Exception {
        long deadline = System.nanoTime() + WAIT * 1_000_000_000L;
        int attempt = 0;
        while (System.nanoTime() < deadline) {
            String message = text + "-" + attempt++;
            int mark = to.lineCount();
            from.command("hyphae:pub " + TOPIC + " " + message, l -> l.contains("published") || l.contains("rror"), WAIT);
            try {
                to.awaitLine(mark, l -> l.contains(TOPIC + " from ") && l.endsWith(message), 3);
                return;
            } catch (AssertionError notYet) {
                // the mesh may not have formed yet
            }
        }
        throw new AssertionError(text + " never arrived:\n" + to.output());
    }

    private static String peerId(NodeProcess node) throws InterruptedException {
        return node.awaitLine(l -> l.startsWith("PeerID: "), WAIT).substring("PeerID: ".length()).trim();
    }

    /** The node's TCP listen address with /p2p, from its start-up report. */
    private static String tcpAddress(NodeProcess node) throws InterruptedException {
        String line = node.awaitLine(l -> l.startsWith("Swarm listening on ") && l.contains("/tcp/") && !l.contains("/ws"),
                WAIT);
        node.awaitLine(l -> l.startsWith("Node ready in "), WAIT);
        return line.substring("Swarm listening on ".length()).trim();
    }

    private static List<String> bundleNames(Path home) throws Exception {
        try (Stream<Path> jars = Files.list(home.resolve("bundles"))) {
            return jars.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
