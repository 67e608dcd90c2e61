package org.hyphae.consensus.bft.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.hyphae.ledger.Block;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Four BFT validators in one JVM with the real ledger and GossipSub over the in-memory network. */
class BftNetworkTest {

    static final List<TestIdentity> VALIDATORS = List.of(TestIdentity.fromSeedByte(51), TestIdentity.fromSeedByte(52),
            TestIdentity.fromSeedByte(53), TestIdentity.fromSeedByte(54));
    static final List<TestIdentity> USERS = List.of(TestIdentity.fromSeedByte(61), TestIdentity.fromSeedByte(62));

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void fourValidatorsFinalizeBlocksWithCertificates() throws Exception {
        ChainSpec spec = BftNet.spec("bft-net", VALIDATORS, null, USERS);
        try (BftNet net = new BftNet(dir)) {
            for (TestIdentity v : VALIDATORS) {
                net.add(v, spec);
            }
            net.connectAll();
            net.peers.forEach(p -> p.ledger.start());
            for (int i = 0; i < 20; i++) {
                BftNet.transfer(net.peers.get(i % 4), spec, USERS.get(0), i, USERS.get(1).peerId(), 10);
            }
            BftNet.await("20 transfers applied everywhere", 60_000,
                    () -> net.peers.stream().allMatch(p -> p.ledger.account(USERS.get(0).peerId()).nonce() == 20));
            BftNet.await("height 10", 60_000, () -> net.minHeight() >= 10);
            long h = net.minHeight();
            BftNet.checkInvariants(net.peers, h, spec.totalSupply());
            // Every block carries a certificate of at least 3 of the 4 precommits, and the proposers rotate.
            java.util.Set<Object> proposers = new java.util.HashSet<>();
            for (long i = 1; i <= h; i++) {
                Block b = net.peers.get(0).ledger.block(i).orElseThrow();
                BftSeal seal = BftSeal.decode(b.header().seal());
                assertTrue(seal.commits().size() >= 3, "block #" + i + " has " + seal.commits().size() + " commits");
                proposers.add(b.header().proposer().orElseThrow());
            }
            assertEquals(4, proposers.size(), "all four validators proposed in " + h + " blocks");
            for (BftNet.Peer p : net.peers) {
                assertTrue(p.session().evidence().isEmpty(), "no evidence against honest validators");
            }
        }
    }

    @Test
    @Timeout(240)
    void oneDownGoesOnTwoDownHaltsRestartedCatchUp() throws Exception {
        ChainSpec spec = BftNet.spec("bft-faults", VALIDATORS, null, USERS);
        try (BftNet net = new BftNet(dir)) {
            for (TestIdentity v : VALIDATORS) {
                net.add(v, spec);
            }
            net.connectAll();
            net.peers.forEach(p -> p.ledger.start());
            BftNet.await("height 3", 60_000, () -> net.minHeight() >= 3);

            BftNet.Peer first = net.peers.get(3);
            net.stop(first);
            long h1 = net.minHeight();
            BftNet.await("chain goes on with 3 of 4 (" + BftNet.heights(net.peers) + ")", 60_000, () -> net.minHeight() >= h1 + 5);

            BftNet.Peer second = net.peers.get(2);
            net.stop(second);
            Thread.sleep(1500);
            long stuck = net.peers.stream().mapToLong(p -> p.ledger.height()).max().orElseThrow();
            Thread.sleep(4000);
            assertEquals(stuck, net.peers.stream().mapToLong(p -> p.ledger.height()).max().orElseThrow(),
                    "with 2 of 4 validators no block is final");

            // Both come back with their stores and vote logs: they catch up and the chain goes on.
            BftNet.Peer back1 = net.add(first.id, spec, first.store, false);
            BftNet.Peer back2 = net.add(second.id, spec, second.store, false);
            for (BftNet.Peer p : net.peers) {
                for (BftNet.Peer q : net.peers) {
                    if (p != q && (p == back1 || p == back2) && (q != back1 || p != back2)) {
                        net.connect(p, q);
                    }
                }
            }
            back1.ledger.start();
            back2.ledger.start();
            BftNet.await("chain goes on after the restart (" + BftNet.heights(net.peers) + ")", 90_000,
                    () -> net.minHeight() >= stuck + 5);
            BftNet.checkInvariants(net.peers, net.minHeight(), spec.totalSupply());
            for (BftNet.Peer p : net.peers) {
                assertTrue(p.session().evidence().isEmpty(), "no double signing after restarts: " + p.session().evidence());
            }
        }
    }

    @Test
    @Timeout(120)
    void anEquivocatingValidatorIsRecordedAndTheOthersStaySafe() throws Exception {
        ChainSpec spec = BftNet.spec("bft-equivocate", VALIDATORS, null, USERS);
        try (BftNet net = new BftNet(dir)) {
            for (int i = 0; i < 4; i++) {
                net.add(VALIDATORS.get(i), spec, new org.hyphae.storage.memory.MemoryDatastore(), i == 0);
            }
            net.connectAll();
            net.peers.forEach(p -> p.ledger.start());
            BftNet.await("height 8", 60_000, () -> net.minHeight() >= 8);
            BftNet.await("evidence on every honest node", 30_000, () -> net.peers.subList(1, 4).stream()
                    .allMatch(p -> p.session().evidence().stream().anyMatch(e -> e.first().validator().equals(VALIDATORS.get(0).peerId()))));
            for (BftNet.Peer p : net.peers.subList(1, 4)) {
                p.session().evidence().forEach(e -> assertEquals(VALIDATORS.get(0).peerId(), e.first().validator(), "only the faulty one"));
            }
            String shown = net.peers.get(1).engine.evidence();
            assertTrue(shown.contains(VALIDATORS.get(0).peerId().toString()) && shown.contains("prevote"), shown);
            BftNet.checkInvariants(net.peers, net.minHeight(), spec.totalSupply());
        }
    }
}
