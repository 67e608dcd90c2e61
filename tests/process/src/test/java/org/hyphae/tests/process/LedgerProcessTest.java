package org.hyphae.tests.process;

import static org.hyphae.tests.process.LedgerNodes.address;
import static org.hyphae.tests.process.LedgerNodes.balance;
import static org.hyphae.tests.process.LedgerNodes.height;
import static org.hyphae.tests.process.LedgerNodes.query;
import static org.hyphae.tests.process.LedgerNodes.send;
import static org.hyphae.tests.process.LedgerNodes.writeKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.hyphae.identity.PeerId;
import org.hyphae.tests.support.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assembled node as five processes on 127.0.0.1 sharing one chain file: three poa signers and
 * two followers make one chain; a follower killed with SIGKILL and restarted catches up from its
 * store and its peers; a signer killed with SIGKILL does not stop the chain; every node has the
 * same block at each height, the balances add up, the transaction is applied once.
 */
class LedgerProcessTest {

    private static final long SUPPLY_EACH = 1_000_000_000L;

    @TempDir
    Path work;

    private final List<NodeProcess> nodes = new ArrayList<>();
    private final List<PeerId> ids = new ArrayList<>();
    private final List<String> addresses = new ArrayList<>();

    private NodeProcess start(int i) throws IOException {
        return NodeProcess.start(work, "--port", "0", "--data", work.resolve("n" + i).toString());
    }

    private void awaitHeight(List<NodeProcess> which, long target, long timeoutSeconds) throws Exception {
        long end = System.currentTimeMillis() + timeoutSeconds * 1000;
        while (true) {
            boolean all = true;
            for (NodeProcess n : which) {
                // Dials that timed out on a loaded machine are retried; a connected peer is not dialled again.
                int i = nodes.indexOf(n);
                for (int j = 0; j < addresses.size(); j++) {
                    if (j != i && nodes.get(j).process().isAlive()) {
                        send(n, "hyphae:connect " + addresses.get(j) + "/p2p/" + ids.get(j));
                    }
                }
                send(n, "hyphae:chain");
            }
            Thread.sleep(3000);
            StringBuilder seen = new StringBuilder();
            for (NodeProcess n : which) {
                long h = height(n);
                seen.append(h).append(' ');
                all &= h >= target;
            }
            if (all) {
                return;
            }
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("heights " + seen + "did not all reach " + target + "; last node printed:\n"
                        + which.get(which.size() - 1).output());
            }
        }
    }

    @Test
    @Timeout(1500)
    void threeSignersTwoFollowersOneChainThroughKillsAndRestarts() throws Exception {
        for (int i = 0; i < 5; i++) {
            ids.add(writeKey(work.resolve("n" + i), 60 + i));
        }
        StringBuilder chain = new StringBuilder("chain.id = process-test\ngenesis.time = " + (System.currentTimeMillis() - 5000) + "\n");
        for (PeerId id : ids) {
            chain.append("balance.").append(id).append(" = ").append(SUPPLY_EACH).append('\n');
        }
        chain.append("consensus.1.engine = poa\nconsensus.1.period = 1000\nconsensus.1.wiggle = 700\nconsensus.1.signers = ")
                .append(ids.get(0)).append(',').append(ids.get(1)).append(',').append(ids.get(2)).append('\n');
        for (int i = 0; i < 5; i++) {
            Files.writeString(work.resolve("n" + i).resolve("chain.properties"), chain);
        }
        try {
            for (int i = 0; i < 5; i++) {
                nodes.add(start(i));
            }
            for (NodeProcess n : nodes) {
                addresses.add(address(n));
            }
            for (NodeProcess n : nodes) {
                n.awaitLine(l -> l.contains("Node ready in "), 900);
            }
            for (int i = 1; i < 5; i++) {
                for (int j = 0; j < i; j++) {
                    send(nodes.get(i), "hyphae:connect " + addresses.get(j) + "/p2p/" + ids.get(j));
                }
            }
            awaitHeight(nodes, 4, 600);

            // A transfer from follower 3 to follower 4.
            String submitted = query(nodes.get(3), "hyphae:tx-send " + ids.get(4) + " 1000 2", "submitted ", 120);
            String tx = submitted.substring(submitted.indexOf("submitted ") + "submitted ".length()).split(" ")[0];

            // SIGKILL follower 4, let the chain move on, restart it: it catches up.
            nodes.get(4).process().destroyForcibly().waitFor();
            long before = height(nodes.get(0));
            awaitHeight(nodes.subList(0, 4), before + 3, 300);
            NodeProcess restarted = start(4);
            nodes.set(4, restarted);
            addresses.set(4, address(restarted));
            restarted.awaitLine(l -> l.contains("Node ready in "), 600);
            for (int j = 0; j < 4; j++) {
                send(restarted, "hyphae:connect " + addresses.get(j) + "/p2p/" + ids.get(j));
            }
            awaitHeight(List.of(nodes.get(0)), before + 4, 300);
            long target = height(nodes.get(0));
            awaitHeight(List.of(restarted), target, 300);

            // SIGKILL signer 2: signers 0 and 1 keep the chain going.
            nodes.get(2).process().destroyForcibly().waitFor();
            List<NodeProcess> alive = List.of(nodes.get(0), nodes.get(1), nodes.get(3), nodes.get(4));
            long now = height(nodes.get(0));
            awaitHeight(alive, now + 4, 300);

            // Invariants on every live node.
            long top = Long.MAX_VALUE;
            for (NodeProcess n : alive) {
                top = Math.min(top, height(n));
            }
            for (long h = 1; h <= top - 2; h++) {
                String expected = null;
                for (NodeProcess n : alive) {
                    String line = query(n, "hyphae:block " + h, "block      #" + h + " ", 60);
                    String hash = line.substring(line.indexOf("block      #" + h + " ") + ("block      #" + h + " ").length()).trim();
                    if (expected == null) {
                        expected = hash;
                    }
                    assertEquals(expected, hash, "block at height " + h);
                }
            }
            for (NodeProcess n : alive) {
                String where = query(n, "hyphae:tx " + tx, tx + ": ", 60);
                assertTrue(where.contains("in block #"), where);
                long sum = 0;
                for (PeerId id : ids) {
                    long bal = balance(n, id);
                    sum += bal;
                    if (id.equals(ids.get(4))) {
                        assertEquals(SUPPLY_EACH + 1000, bal, "the transfer applied once");
                    }
                }
                assertEquals(5 * SUPPLY_EACH, sum, "balances conserved (fees go to the signers)");
            }
            System.out.println("[ledger process] " + alive.size() + " nodes agree on " + (top - 2) + " blocks");
        } finally {
            for (NodeProcess n : nodes) {
                n.close();
            }
        }
    }
}
