package org.hyphae.tests.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.hyphae.identity.PeerId;
import org.hyphae.tests.support.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four BFT validators as processes on 127.0.0.1: one SIGKILLed, the chain goes on; a second
 * SIGKILLed, it halts and forks nowhere; both restarted, they catch up and it goes on; one frozen
 * with SIGSTOP (cut off from the others) and let go, it catches up; and, in a second network, one
 * validator that signs two prevotes a round has its double signing recorded on the others while
 * they keep one chain. Invariants on every node: one block per height, balances conserved, the
 * transfer applied once.
 */
class BftProcessTest {

    private static final long SUPPLY_EACH = 1_000_000_000L;

    @TempDir
    Path work;

    private static String chainFile(String chainId, List<PeerId> ids) {
        StringBuilder c = new StringBuilder("chain.id = " + chainId + "\ngenesis.time = " + (System.currentTimeMillis() - 5000) + "\n");
        for (PeerId id : ids) {
            c.append("balance.").append(id).append(" = ").append(SUPPLY_EACH).append('\n');
        }
        c.append("consensus.1.engine = bft\nconsensus.1.period = 500\nconsensus.1.timeout-propose = 2000\n")
                .append("consensus.1.timeout-prevote = 1000\nconsensus.1.timeout-precommit = 1000\nconsensus.1.timeout-delta = 500\n")
                .append("consensus.1.timeout-max = 5000\nconsensus.1.validators = ");
        for (int i = 0; i < ids.size(); i++) {
            c.append(i == 0 ? "" : ",").append(ids.get(i)).append(":1");
        }
        return c.append('\n').toString();
    }

    @Test
    @Timeout(1800)
    void fourValidatorsThroughKillsHaltRestartAndACutOff() throws Exception {
        try (ChainProcesses net = new ChainProcesses(work)) {
            for (int i = 0; i < 4; i++) {
                net.prepare(i, 70 + i, null);
            }
            net.writeChain(chainFile("bft-process", net.ids));
            for (int i = 0; i < 4; i++) {
                net.start(i);
            }
            List<Integer> all = List.of(0, 1, 2, 3);
            for (int i : all) {
                net.connect(i);
            }
            net.awaitHeight(all, 3, 600);
            String submitted = LedgerNodes.query(net.nodes.get(0), "hyphae:tx-send " + net.ids.get(3) + " 1000 2", "submitted ", 120);
            String tx = submitted.substring(submitted.indexOf("submitted ") + "submitted ".length()).split(" ")[0];

            // One SIGKILLed: 3 of 4 go on.
            net.nodes.get(3).process().destroyForcibly().waitFor();
            long h1 = net.heights(List.of(0)).length > 0 ? LedgerNodes.height(net.nodes.get(0)) : 0;
            net.awaitHeight(List.of(0, 1, 2), h1 + 3, 300);

            // Two SIGKILLed: no block is final, nothing forks.
            net.nodes.get(2).process().destroyForcibly().waitFor();
            Thread.sleep(3000);
            long[] stuck = net.heights(List.of(0, 1));
            Thread.sleep(12_000);
            long[] later = net.heights(List.of(0, 1));
            assertEquals(Math.max(stuck[0], stuck[1]), Math.max(later[0], later[1]), "2 of 4 validators make no block");
            String status = LedgerNodes.query(net.nodes.get(0), "hyphae:bft", "step ", 60);
            assertTrue(status.contains("height " + (later[0] + 1)), status);

            // Both restarted from their data: they catch up and the chain goes on.
            net.start(2);
            net.start(3);
            for (int i : all) {
                net.connect(i);
            }
            long top = Math.max(later[0], later[1]);
            net.awaitHeight(all, top + 3, 600);

            // One cut off (frozen with SIGSTOP) while the others go on, then let go: it catches up.
            long pid = net.nodes.get(1).process().pid();
            new ProcessBuilder("kill", "-STOP", String.valueOf(pid)).start().waitFor();
            long h2 = net.heights(List.of(0)).length > 0 ? LedgerNodes.height(net.nodes.get(0)) : 0;
            try {
                net.awaitHeight(List.of(0, 2, 3), h2 + 3, 300);
            } finally {
                new ProcessBuilder("kill", "-CONT", String.valueOf(pid)).start().waitFor();
            }
            long h3 = LedgerNodes.height(net.nodes.get(0));
            net.awaitHeight(all, h3 + 2, 300);

            long min = Long.MAX_VALUE;
            for (long h : net.heights(all)) {
                min = Math.min(min, h);
            }
            net.checkInvariants(all, min, 4 * SUPPLY_EACH);
            for (int i : all) {
                String where = LedgerNodes.query(net.nodes.get(i), "hyphae:tx " + tx, tx + ": ", 60);
                assertTrue(where.contains("in block #"), where);
                String b = LedgerNodes.query(net.nodes.get(i), "hyphae:balance " + net.ids.get(3), net.ids.get(3) + ": balance ", 60);
                assertEquals(SUPPLY_EACH + 1000, Long.parseLong(b.substring(b.indexOf(": balance ") + ": balance ".length()).split(",")[0]),
                        "the transfer applied once on node " + i);
                String ev = net.nodes.get(i).commandOutput("hyphae:evidence", 60);
                assertTrue(ev.contains("no evidence of double signing"), "no honest validator double signed, even through SIGKILL: " + ev);
            }
            System.out.println("[bft process] 4 nodes agree on " + min + " blocks through 2 kills, a halt, restarts and a cut-off");
        }
    }

    @Test
    @Timeout(1200)
    void anEquivocatingValidatorIsRecordedAndTheOthersStayOnOneChain() throws Exception {
        Path faulty = NodeProcess.copyDistribution(work.resolve("faulty-node"));
        Files.writeString(faulty.resolve("config").resolve("org.hyphae.consensus.bft.cfg"), "faultEquivocate=true\n");
        try (ChainProcesses net = new ChainProcesses(work)) {
            for (int i = 0; i < 4; i++) {
                net.prepare(i, 80 + i, i == 0 ? faulty : null);
            }
            net.writeChain(chainFile("bft-equivocate", net.ids));
            for (int i = 0; i < 4; i++) {
                net.start(i);
            }
            List<Integer> all = List.of(0, 1, 2, 3);
            for (int i : all) {
                net.connect(i);
            }
            net.awaitHeight(all, 6, 600);
            for (int i = 1; i < 4; i++) {
                String ev = LedgerNodes.query(net.nodes.get(i), "hyphae:evidence", "signed two prevotes", 120);
                assertTrue(ev.contains(net.ids.get(0).toString()), ev);
            }
            long min = Long.MAX_VALUE;
            for (long h : net.heights(all)) {
                min = Math.min(min, h);
            }
            net.checkInvariants(all, min, 4 * SUPPLY_EACH);
        }
    }
}
