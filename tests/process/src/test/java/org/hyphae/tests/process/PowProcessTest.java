package org.hyphae.tests.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

import org.hyphae.identity.PeerId;
import org.hyphae.tests.support.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proof of work with the assembled node as processes on 127.0.0.1, mDNS off so that the test
 * decides who meets whom: two halves mine apart and join (the heavier chain wins on every node,
 * the losing branch's transfer goes back to the pool and is mined again), and a node whose
 * distribution lacks the pow bundle stops at the poa-to-pow handover, says so, and goes on once
 * the jar is dropped into its deploy/ folder, while a node that joins later syncs both segments.
 */
class PowProcessTest {

    private static final long SUPPLY_EACH = 1_000_000_000L;
    private static final String POW_BUNDLE = "org.hyphae.consensus.pow";

    @TempDir
    Path work;

    private final List<NodeProcess> nodes = new ArrayList<>();

    private Path data(int i) {
        return work.resolve("n" + i);
    }

    /** Mining threads through the watched Config Admin file of the pow engine. */
    private void mining(int node, int threads) throws IOException {
        Path cfg = data(node).resolve("config").resolve(POW_BUNDLE + ".cfg");
        Files.createDirectories(cfg.getParent());
        Path part = cfg.resolveSibling(cfg.getFileName() + ".part");
        Files.writeString(part, "threads=" + threads + "\ntemplateRefreshMillis=500\n");
        Files.move(part, cfg, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void prepare(int node, String chain) throws IOException {
        Path config = Files.createDirectories(data(node).resolve("config"));
        Files.writeString(config.resolve("org.hyphae.discovery.mdns.cfg"), "enabled=false\n");
        Files.writeString(data(node).resolve("chain.properties"), chain);
    }

    private NodeProcess start(Path home, int node) throws IOException {
        NodeProcess p = NodeProcess.start(home, work, "--port", "0", "--data", data(node).toString());
        nodes.add(p);
        return p;
    }

    /** The head as hyphae:chain prints it: "#height hash". */
    private static String head(NodeProcess n) throws Exception {
        String line = n.command("hyphae:chain", l -> l.contains("head       #"), 120);
        return line.substring(line.indexOf("head       #") + "head       ".length()).trim();
    }

    private static long height(NodeProcess n) throws Exception {
        return Long.parseLong(head(n).substring(1).split(" ")[0]);
    }

    private static String tx(NodeProcess n, String id) throws Exception {
        return n.command("hyphae:tx " + id, l -> l.contains(id + ": "), 120);
    }

    private static String send(NodeProcess n, PeerId to, long amount) throws Exception {
        String line = n.command("hyphae:tx-send " + to + " " + amount + " 1", l -> l.contains("submitted ") || l.contains("refused"), 120);
        assertTrue(line.contains("submitted "), line);
        return line.substring(line.indexOf("submitted ") + "submitted ".length()).split(" ")[0];
    }

    private static void await(String what, long seconds, BooleanSupplierWithException condition) throws Exception {
        long end = System.currentTimeMillis() + seconds * 1000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
            }
            Thread.sleep(1000);
        }
    }

    /** A condition that may run shell commands. */
    private interface BooleanSupplierWithException {
        boolean getAsBoolean() throws Exception;
    }

    /** Waits until a node's head stays the same for a few seconds (mining stopped, gossip settled). */
    private static String settled(NodeProcess n) throws Exception {
        String last = head(n);
        while (true) {
            Thread.sleep(4000);
            String now = head(n);
            if (now.equals(last)) {
                return now;
            }
            last = now;
        }
    }

    private static void connect(NodeProcess from, String address, PeerId to) throws IOException {
        LedgerNodes.send(from, "hyphae:connect " + address + "/p2p/" + to);
    }

    @Test
    @Timeout(900)
    void twoHalvesMineApartThenJoinAndTheHeavierChainWinsEverywhere() throws Exception {
        List<PeerId> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(LedgerNodes.writeKey(data(i), 90 + i));
        }
        StringBuilder chain = new StringBuilder("chain.id = pow-process\ngenesis.time = " + (System.currentTimeMillis() - 5000) + "\n");
        for (PeerId id : ids) {
            chain.append("balance.").append(id).append(" = ").append(SUPPLY_EACH).append('\n');
        }
        // A window longer than the test: every block has the same work, so the longer branch is the heavier.
        chain.append("consensus.1.engine = pow\nconsensus.1.difficulty = 300000\nconsensus.1.blockTime = 1000\n"
                + "consensus.1.window = 1000000\n");
        for (int i = 0; i < 3; i++) {
            prepare(i, chain.toString());
            mining(i, 0);
        }
        try {
            Path home = NodeProcess.distribution();
            NodeProcess a = start(home, 0);
            NodeProcess b = start(home, 1);
            NodeProcess c = start(home, 2);
            List<String> addresses = new ArrayList<>();
            for (NodeProcess n : nodes) {
                addresses.add(LedgerNodes.address(n));
            }
            for (NodeProcess n : nodes) {
                n.awaitLine(l -> l.contains("Node ready in "), 900);
            }
            // Half one: A alone. Half two: B (miner) and C.
            connect(c, addresses.get(1), ids.get(1));
            String txA = send(a, ids.get(2), 1000);
            String txB = send(c, ids.get(0), 500);

            mining(0, 1);
            await("A mines its transfer", 300, () -> height(a) >= 5 && tx(a, txA).contains("in block #"));
            mining(0, 0);
            String headA = settled(a);
            long heightA = Long.parseLong(headA.substring(1).split(" ")[0]);

            mining(1, 1);
            await("B's half mines a longer branch", 300, () -> height(b) >= heightA + 8 && tx(c, txB).contains("in block #"));
            mining(1, 0);
            String headB = settled(b);
            await("C has B's head", 120, () -> head(c).equals(headB));
            assertTrue(tx(b, txA).contains("unknown"), "B's half never saw A's transfer");

            // Join: A takes B's branch; its transfer leaves the chain and waits in its pool again.
            connect(a, addresses.get(1), ids.get(1));
            connect(a, addresses.get(2), ids.get(2));
            await("A on B's head", 300, () -> {
                connect(a, addresses.get(1), ids.get(1));
                return head(a).equals(headB);
            });
            assertTrue(tx(a, txA).contains("pending"), tx(a, txA));
            assertTrue(tx(a, txB).contains("in block #"), tx(a, txB));
            assertTrue(a.output().contains("reorg at height "), "A logged its reorg");

            // A mines on the joined chain: its transfer gets in, on every node.
            mining(0, 1);
            await("A's transfer mined on the joined chain", 300,
                    () -> tx(a, txA).contains("in block #") && tx(b, txA).contains("in block #") && tx(c, txA).contains("in block #"));
            mining(0, 0);
            String end = settled(a);
            for (NodeProcess n : List.of(b, c)) {
                await("heads agree", 120, () -> head(n).equals(end));
            }
            for (NodeProcess n : nodes) {
                long sum = 0;
                for (PeerId id : ids) {
                    String line = n.command("hyphae:balance " + id, l -> l.contains(id + ": balance "), 60);
                    sum += Long.parseLong(line.substring(line.indexOf(": balance ") + ": balance ".length()).split(",")[0]);
                }
                assertEquals(3 * SUPPLY_EACH, sum, "balances conserved (fees go to the miners)");
                String txLine = tx(n, txA);
                assertEquals(tx(a, txA).substring(tx(a, txA).indexOf("in block")), txLine.substring(txLine.indexOf("in block")));
            }
            System.out.println("[pow process] halves at " + headA + " and " + headB + " joined on B's; final head " + end);
        } finally {
            nodes.forEach(NodeProcess::close);
        }
    }

    @Test
    @Timeout(900)
    void aNodeWithoutThePowBundleStopsAtTheHandoverAndGoesOnWhenTheJarIsDropped() throws Exception {
        PeerId signer = LedgerNodes.writeKey(data(0), 95);
        PeerId late = LedgerNodes.writeKey(data(1), 96);
        String chain = "chain.id = pow-handover-process\ngenesis.time = " + (System.currentTimeMillis() - 5000) + "\n"
                + "balance." + signer + " = " + SUPPLY_EACH + "\n"
                + "consensus.1.engine = poa\nconsensus.1.period = 300\nconsensus.1.signers = " + signer + "\n"
                + "consensus.6.engine = pow\nconsensus.6.difficulty = 100000\nconsensus.6.window = 1000000\n";
        prepare(0, chain);
        prepare(1, chain);
        mining(0, 1);
        Path full = NodeProcess.distribution();
        Path lean = NodeProcess.copyDistribution(work.resolve("dist-without-pow"));
        Path powJar;
        try (var files = Files.list(lean.resolve("bundles"))) {
            powJar = files.filter(f -> f.getFileName().toString().startsWith(POW_BUNDLE + "-")).findFirst().orElseThrow();
        }
        Path saved = Files.move(powJar, work.resolve(powJar.getFileName()));
        try {
            NodeProcess a = start(lean, 0);
            String address = LedgerNodes.address(a);
            a.awaitLine(l -> l.contains("Node ready in "), 900);
            await("the poa segment", 300, () -> height(a) >= 5);
            Thread.sleep(3000);
            assertEquals(5, height(a), "no block at the handover height without its engine");
            String said = a.command("hyphae:chain", l -> l.contains("engine     "), 60);
            assertTrue(said.contains("NOT INSTALLED") && said.contains(POW_BUNDLE) && said.contains("from #6"), said);
            assertTrue(a.output().contains("drop the bundle " + POW_BUNDLE + " into deploy/"), "the node logged what it needs");

            Path deploy = lean.resolve("deploy");
            Path part = Files.copy(saved, deploy.resolve("pow.jar.part"));
            Files.move(part, deploy.resolve(POW_BUNDLE + ".jar"), StandardCopyOption.ATOMIC_MOVE);
            await("pow blocks after the drop", 300, () -> height(a) >= 9);
            String now = a.command("hyphae:chain", l -> l.contains("engine     "), 60);
            assertTrue(!now.contains("NOT INSTALLED"), now);
            mining(0, 0);
            String top = settled(a);

            // A node of the full distribution joins late and syncs both segments, each checked by its engine.
            NodeProcess b = start(full, 1);
            b.awaitLine(l -> l.contains("Node ready in "), 900);
            connect(b, address, signer);
            await("the late node synced across the handover", 300, () -> {
                connect(b, address, signer);
                return head(b).equals(top);
            });
            assertTrue(!b.output().contains("penalized"), "the late node refused nothing");
            System.out.println("[pow process] handover at #6 after the drop; late node synced to " + top + " (" + late + ")");
        } finally {
            nodes.forEach(NodeProcess::close);
        }
    }
}
