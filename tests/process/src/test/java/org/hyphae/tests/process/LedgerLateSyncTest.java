package org.hyphae.tests.process;

import static org.hyphae.tests.process.LedgerNodes.address;
import static org.hyphae.tests.process.LedgerNodes.balance;
import static org.hyphae.tests.process.LedgerNodes.height;
import static org.hyphae.tests.process.LedgerNodes.nonce;
import static org.hyphae.tests.process.LedgerNodes.send;
import static org.hyphae.tests.process.LedgerNodes.writeKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.hyphae.identity.PeerId;
import org.hyphae.tests.support.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node started after {@value #BLOCKS} blocks syncs all of them from another process over
 * {@code /hyphae/chain/sync/1.0.0} on 127.0.0.1: the producer is the chain's only signer with a
 * 1 ms period, takes transfers from its shell while it makes the chain, and stops at height
 * {@value #BLOCKS} because the chain file hands the next height to an engine nobody installed.
 * Then a fresh node with the same chain file syncs, and both have the same block at every height,
 * the supply is conserved and each transfer was applied exactly once. Prints the sync speed.
 */
class LedgerLateSyncTest {

    private static final int BLOCKS = 5000;
    private static final long SUPPLY_EACH = 1_000_000_000L;
    private static final int TRANSFERS = 600;
    private static final Pattern BLOCK_LINE = Pattern.compile("block {6}#(\\d+) ([0-9a-f]{64})");

    @TempDir
    Path work;

    @Test
    @Timeout(600)
    void aFreshNodeSyncsFiveThousandBlocks() throws Exception {
        PeerId producerId = writeKey(work.resolve("producer"), 90);
        PeerId freshId = writeKey(work.resolve("fresh"), 91);
        List<PeerId> recipients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            recipients.add(writeKey(work.resolve("unused" + i), 92 + i));
        }
        List<PeerId> accounts = new ArrayList<>(List.of(producerId, freshId));
        accounts.addAll(recipients);
        StringBuilder chain = new StringBuilder("chain.id = late-sync-test\ngenesis.time = " + (System.currentTimeMillis() - 60_000) + "\n");
        for (PeerId id : accounts) {
            chain.append("balance.").append(id).append(" = ").append(SUPPLY_EACH).append('\n');
        }
        chain.append("consensus.1.engine = poa\nconsensus.1.period = 1\nconsensus.1.wiggle = 1\nconsensus.1.signers = ")
                .append(producerId).append('\n');
        // Nobody installs "halt": the producer stops at BLOCKS and says so, and the fresh node syncs a fixed chain.
        chain.append("consensus.").append(BLOCKS + 1).append(".engine = halt\n");
        for (String d : List.of("producer", "fresh")) {
            Files.writeString(work.resolve(d).resolve("chain.properties"), chain);
        }
        NodeProcess producer = null;
        NodeProcess fresh = null;
        try {
            producer = NodeProcess.start(work, "--port", "0", "--data", work.resolve("producer").toString());
            String producerAddress = address(producer) + "/p2p/" + producerId;
            producer.awaitLine(l -> l.contains("Node ready in "), 600);

            // Transfers while the chain grows: amount i to recipient i mod 4, fee 1, so each one's effect is visible.
            long[] expected = new long[recipients.size()];
            int accepted = 0;
            for (int i = 1; i <= TRANSFERS; i++) {
                PeerId to = recipients.get(i % recipients.size());
                String r = producer.command("hyphae:tx-send " + to + " " + i + " 1", l -> l.contains("submitted ") || l.contains("refused: "), 120);
                assertTrue(r.contains("submitted "), r);
                expected[i % recipients.size()] += i;
                accepted++;
            }
            long producedAt = System.nanoTime();
            awaitHeight(producer, BLOCKS, 300, 1000);
            double produceSeconds = (System.nanoTime() - producedAt) / 1e9;
            producer.awaitLine(l -> l.contains("stops at height " + BLOCKS), 60);

            fresh = NodeProcess.start(work, "--port", "0", "--data", work.resolve("fresh").toString());
            fresh.awaitLine(l -> l.contains("Node ready in "), 600);
            long s0 = System.nanoTime();
            send(fresh, "hyphae:connect " + producerAddress);
            awaitHeight(fresh, BLOCKS, 300, 250);
            double syncSeconds = (System.nanoTime() - s0) / 1e9;
            System.out.printf("[ledger late sync] producer made blocks to #%d (%.1f s after the last transfer); a fresh node synced %d blocks"
                    + " with %d transfers in %.1f s: %.0f blocks/s (load average %s)%n", BLOCKS, produceSeconds, BLOCKS, accepted, syncSeconds,
                    BLOCKS / syncSeconds, loadAverage());

            // The same block at every height: all hashes, from both nodes.
            Map<Long, String> a = blockHashes(producer);
            Map<Long, String> b = blockHashes(fresh);
            assertEquals(BLOCKS, a.size(), "producer lists every block");
            for (long h = 1; h <= BLOCKS; h++) {
                assertEquals(a.get(h), b.get(h), "block at height " + h);
            }
            // Balances: each recipient got exactly its transfers, the supply is whole, the producer's nonce counts them once.
            for (NodeProcess n : List.of(producer, fresh)) {
                long sum = 0;
                for (PeerId id : accounts) {
                    sum += balance(n, id);
                }
                assertEquals(accounts.size() * SUPPLY_EACH, sum, "supply conserved (fees go to the signer)");
                for (int r = 0; r < recipients.size(); r++) {
                    assertEquals(SUPPLY_EACH + expected[r], balance(n, recipients.get(r)), "recipient " + r + ": each transfer applied once");
                }
                assertEquals(accepted, nonce(n, producerId), "the producer's nonce: " + accepted + " transfers applied");
            }
        } finally {
            if (fresh != null) {
                fresh.close();
            }
            if (producer != null) {
                producer.close();
            }
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private static void awaitHeight(NodeProcess node, long target, long timeoutSeconds, long pollMillis) throws Exception {
        long end = System.currentTimeMillis() + timeoutSeconds * 1000;
        while (height(node) < target) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("height " + height(node) + " did not reach " + target + "; the node printed:\n" + node.output());
            }
            send(node, "hyphae:chain");
            Thread.sleep(pollMillis);
        }
    }

    /** Every block's hash by height as the node's hyphae:block prints it. */
    private static Map<Long, String> blockHashes(NodeProcess node) throws Exception {
        StringBuilder commands = new StringBuilder();
        for (long h = 1; h <= BLOCKS; h++) {
            commands.append("hyphae:block ").append(h).append('\n');
        }
        String out = node.commandOutput(commands.toString().strip(), 300);
        Map<Long, String> hashes = new HashMap<>();
        Matcher m = BLOCK_LINE.matcher(out);
        while (m.find()) {
            hashes.put(Long.parseLong(m.group(1)), m.group(2));
        }
        return hashes;
    }
}
