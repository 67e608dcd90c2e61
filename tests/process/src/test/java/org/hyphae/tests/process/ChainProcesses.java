package org.hyphae.tests.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.hyphae.identity.PeerId;
import org.hyphae.tests.support.NodeProcess;

/**
 * Ledger nodes as processes that share a chain file: keys written before start so the chain file
 * can name them, connections, heights from {@code hyphae:chain}, and the invariants every node
 * must hold (the same block at each height, balances conserved). Single-node steps are in
 * {@link LedgerNodes}.
 */
final class ChainProcesses implements AutoCloseable {

    final Path work;
    final List<NodeProcess> nodes = new ArrayList<>();
    final List<PeerId> ids = new ArrayList<>();
    final List<String> addresses = new ArrayList<>();
    final List<Path> homes = new ArrayList<>();

    ChainProcesses(Path work) {
        this.work = work;
    }

    Path data(int i) {
        return work.resolve("n" + i);
    }

    /** Prepares node {@code i}: key, and the distribution it runs from (the build's unless given). */
    PeerId prepare(int i, int seedByte, Path home) throws IOException {
        PeerId id = LedgerNodes.writeKey(data(i), seedByte);
        ids.add(id);
        homes.add(home);
        nodes.add(null);
        addresses.add(null);
        return id;
    }

    void writeChain(String chainFile) throws IOException {
        for (int i = 0; i < ids.size(); i++) {
            Files.writeString(data(i).resolve("chain.properties"), chainFile);
        }
    }

    /** Starts (or restarts) node {@code i} and waits until it is ready. */
    NodeProcess start(int i) throws Exception {
        Path home = homes.get(i);
        NodeProcess n = home == null ? NodeProcess.start(work, "--port", "0", "--data", data(i).toString())
                : NodeProcess.start(home, work, "--port", "0", "--data", data(i).toString());
        nodes.set(i, n);
        addresses.set(i, LedgerNodes.address(n));
        n.awaitLine(l -> l.contains("Node ready in "), 900);
        return n;
    }

    boolean alive(int i) {
        return nodes.get(i) != null && nodes.get(i).process().isAlive();
    }

    /** Asks node {@code i} to dial every other live node (a connected peer is not dialled again). */
    void connect(int i) throws IOException {
        for (int j = 0; j < ids.size(); j++) {
            if (j != i && alive(j)) {
                LedgerNodes.send(nodes.get(i), "hyphae:connect " + addresses.get(j) + "/p2p/" + ids.get(j));
            }
        }
    }

    /** Asks for heights now and returns them, after a pause for the answers. */
    long[] heights(List<Integer> which) throws Exception {
        for (int i : which) {
            LedgerNodes.send(nodes.get(i), "hyphae:chain");
        }
        Thread.sleep(1500);
        long[] out = new long[which.size()];
        for (int k = 0; k < which.size(); k++) {
            out[k] = LedgerNodes.height(nodes.get(which.get(k)));
        }
        return out;
    }

    void awaitHeight(List<Integer> which, long target, long timeoutSeconds) throws Exception {
        long end = System.currentTimeMillis() + timeoutSeconds * 1000;
        while (true) {
            for (int i : which) {
                connect(i);
            }
            long[] hs = heights(which);
            boolean all = true;
            for (long h : hs) {
                all &= h >= target;
            }
            if (all) {
                return;
            }
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("heights " + java.util.Arrays.toString(hs) + " of nodes " + which + " did not all reach " + target
                        + "; last node printed:\n" + nodes.get(which.get(which.size() - 1)).output());
            }
            Thread.sleep(1500);
        }
    }

    /** The same block hash at every height up to {@code top} on every node, and the supply conserved. */
    void checkInvariants(List<Integer> which, long top, long supply) throws Exception {
        for (long h = 1; h <= top; h++) {
            String expected = null;
            for (int i : which) {
                String prefix = "block      #" + h + " ";
                String line = LedgerNodes.query(nodes.get(i), "hyphae:block " + h, prefix, 60);
                String hash = line.substring(line.indexOf(prefix) + prefix.length()).trim();
                if (expected == null) {
                    expected = hash;
                }
                assertEquals(expected, hash, "block at height " + h + " on node " + i);
            }
        }
        for (int i : which) {
            long sum = 0;
            for (PeerId id : ids) {
                String b = LedgerNodes.query(nodes.get(i), "hyphae:balance " + id, id + ": balance ", 60);
                sum += Long.parseLong(b.substring(b.indexOf(": balance ") + ": balance ".length()).split(",")[0]);
            }
            assertEquals(supply, sum, "balances conserved on node " + i);
        }
    }

    @Override
    public void close() {
        for (NodeProcess n : nodes) {
            if (n != null) {
                n.close();
            }
        }
    }
}
