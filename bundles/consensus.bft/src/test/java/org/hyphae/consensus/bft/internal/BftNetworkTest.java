package org.hyphae.consensus.bft.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.hyphae.ledger.Block;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.Hash;
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

            // One of the two left crashes mid-round (it has prevoted and waits for a quorum that cannot come) and
            // restarts from its vote log: it resumes at the round it had signed in, and the votes it signed
            // before are never contradicted (the others hold them and would record evidence).
            BftNet.Peer crashing = net.peers.get(1);
            int roundBefore = round(crashing);
            assertTrue(crashing.session().status().contains("step prevote") || crashing.session().status().contains("step precommit"),
                    crashing.session().status());
            net.stop(crashing);
            BftNet.Peer restarted = net.add(crashing.id, spec, crashing.store, false);
            net.connect(restarted, net.peers.get(0));
            restarted.ledger.start();
            BftNet.await("the restarted validator resumes at round " + roundBefore + " or later", 20_000,
                    () -> restarted.session() != null && round(restarted) >= roundBefore);
            assertTrue(!restarted.engine.bft().contains("vote log: 0 signatures"), restarted.engine.bft());

            // Both come back with their stores and vote logs: they catch up and the chain goes on.
            BftNet.Peer back1 = net.add(first.id, spec, first.store, false);
            BftNet.Peer back2 = net.add(second.id, spec, second.store, false);
            for (BftNet.Peer p : List.of(net.peers.get(0), restarted)) {
                net.connect(back1, p);
                net.connect(back2, p);
            }
            net.connect(back1, back2);
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
    @Timeout(180)
    void aLiveNetworkMovesFromPoaToBftWhileTransactionsFlow() throws Exception {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("chain.id", "poa-to-bft");
        p.setProperty("genesis.time", String.valueOf(System.currentTimeMillis() - 60_000));
        for (TestIdentity u : USERS) {
            p.setProperty("balance." + u.peerId(), "1000000");
        }
        String ids = String.join(",", VALIDATORS.stream().map(v -> v.peerId().toString()).toList());
        p.setProperty("consensus.1.engine", "poa");
        p.setProperty("consensus.1.period", "150");
        p.setProperty("consensus.1.wiggle", "150");
        p.setProperty("consensus.1.signers", ids);
        p.setProperty("consensus.12.engine", "bft");
        p.setProperty("consensus.12.validators", ids);
        p.setProperty("consensus.12.period", "100");
        p.setProperty("consensus.12.timeout-propose", "600");
        ChainSpec spec = ChainSpec.parse(p, VALIDATORS.get(0).peerId());
        try (BftNet net = new BftNet(dir)) {
            for (TestIdentity v : VALIDATORS) {
                net.add(v, spec);
            }
            net.connectAll();
            net.peers.forEach(x -> x.ledger.start());
            int sent = 0;
            long until = System.currentTimeMillis() + 60_000;
            while (net.minHeight() < 22 && System.currentTimeMillis() < until) {
                BftNet.transfer(net.peers.get(sent % 4), spec, USERS.get(sent % 2), sent / 2, USERS.get((sent + 1) % 2).peerId(), 3);
                sent++;
                Thread.sleep(40);
            }
            int total = sent;
            BftNet.await("all " + total + " transfers applied everywhere", 60_000, () -> net.peers.stream().allMatch(x ->
                    x.ledger.account(USERS.get(0).peerId()).nonce() + x.ledger.account(USERS.get(1).peerId()).nonce() == total));
            BftNet.await("bft blocks after the handover", 60_000, () -> net.minHeight() >= 22);
            BftNet.checkInvariants(net.peers, net.minHeight(), spec.totalSupply());
            for (long h = 12; h <= net.minHeight(); h++) {
                BftSeal seal = BftSeal.decode(net.peers.get(0).ledger.block(h).orElseThrow().header().seal());
                assertTrue(seal.commits().size() >= 3, "block #" + h + " is certified by bft");
            }
            assertTrue(total > 50, "transactions flowed across the handover: " + total);
        }
    }

    static int round(BftNet.Peer p) {
        String st = p.session().status();
        int i = st.indexOf("round ");
        if (i < 0) {
            return -1;
        }
        return Integer.parseInt(st.substring(i + 6, st.indexOf(',', i)));
    }

    @Test
    @Timeout(180)
    void validatorsJoinAndLeaveThroughTransactions() throws Exception {
        TestIdentity fifth = TestIdentity.fromSeedByte(55);
        ChainSpec spec = BftNet.spec("bft-changes", VALIDATORS, null, List.of(VALIDATORS.get(0), USERS.get(0)));
        try (BftNet net = new BftNet(dir)) {
            for (TestIdentity v : VALIDATORS) {
                net.add(v, spec);
            }
            BftNet.Peer newcomer = net.add(fifth, spec);
            net.connectAll();
            net.peers.forEach(p -> p.ledger.start());
            BftNet.await("height 2", 60_000, () -> net.minHeight() >= 2);
            assertTrue(newcomer.session().status().contains("not a validator"));

            // A non-validator's request is data like any other: no effect.
            anchor(net.peers.get(1), spec, USERS.get(0), 0, new ValidatorChange(USERS.get(0).peerId(), 100));
            anchor(net.peers.get(1), spec, VALIDATORS.get(0), 0, new ValidatorChange(fifth.peerId(), 1));
            BftNet.await("the newcomer is a validator", 60_000, () -> !newcomer.session().status().contains("not a validator"));
            long joined = newcomer.ledger.height();
            BftNet.await("the newcomer proposes a block", 60_000, () -> {
                for (long h = joined; h <= newcomer.ledger.height(); h++) {
                    if (newcomer.ledger.block(h).orElseThrow().header().proposer().orElseThrow().equals(fifth.peerId())) {
                        return true;
                    }
                }
                return false;
            });
            assertTrue(!net.peers.get(0).engine.bft().contains(USERS.get(0).peerId().toString()), "the user did not become a validator");

            // Validator 3 is removed; then it and the newcomer go down: 3 of the 4 left still decide
            // (with the old set of 5, 3 would not be more than two thirds).
            anchor(net.peers.get(1), spec, VALIDATORS.get(0), 1, new ValidatorChange(VALIDATORS.get(3).peerId(), 0));
            BftNet.await("validator 3 is removed", 60_000, () -> !net.peers.get(0).engine.bft().contains(VALIDATORS.get(3).peerId() + ":1"));
            net.stop(net.peers.get(3));
            long h = net.minHeight();
            BftNet.await("the chain goes on with validators 0, 1, 2 and the newcomer (" + BftNet.heights(net.peers) + ")", 60_000,
                    () -> net.minHeight() >= h + 4);
            BftNet.checkInvariants(net.peers, net.minHeight(), spec.totalSupply());
        }
    }

    static void anchor(BftNet.Peer via, ChainSpec spec, TestIdentity from, long nonce, ValidatorChange change) throws Exception {
        org.hyphae.ledger.Transaction t = org.hyphae.ledger.Transaction.anchor(spec.chainId(), from.peerId(), nonce, 0, change.payload());
        via.ledger.submit(t.withSignature(from.sign(t.signingBytes()))).toCompletableFuture().get();
    }

    @Test
    @Timeout(120)
    void votesFromNonValidatorsFarFutureOrMalformedAreDroppedAndCounted() throws Exception {
        TestIdentity outsider = TestIdentity.fromSeedByte(56);
        ChainSpec spec = BftNet.spec("bft-drops", VALIDATORS, null, USERS);
        try (BftNet net = new BftNet(dir)) {
            for (TestIdentity v : VALIDATORS) {
                net.add(v, spec);
            }
            BftNet.Peer bad = net.add(outsider, spec);
            net.connectAll();
            net.peers.forEach(p -> p.ledger.start());
            BftNet.await("height 2", 60_000, () -> net.minHeight() >= 2);
            String topic = bad.ledger.engineTopic("bft");
            long h = bad.ledger.height() + 1;
            byte[] sig = outsider.sign(BftMessage.Vote.signedBytes(spec.chainId(), BftMessage.PREVOTE, h, 0, Hash.ZERO));
            bad.router.publish(topic, new BftMessage.Vote(BftMessage.PREVOTE, h, 0, Hash.ZERO, outsider.peerId(), sig).encode());
            long far = h + 1000;
            byte[] sig2 = outsider.sign(BftMessage.Vote.signedBytes(spec.chainId(), BftMessage.PREVOTE, far, 0, Hash.ZERO));
            bad.router.publish(topic, new BftMessage.Vote(BftMessage.PREVOTE, far, 0, Hash.ZERO, outsider.peerId(), sig2).encode());
            bad.router.publish(topic, new byte[] {1, 1, 0});
            BftNet.Peer v = net.peers.get(0);
            BftNet.await("three messages of the outsider dropped", 30_000, () -> v.session().dropped(outsider.peerId()) >= 3);
            assertTrue(v.engine.bft().contains("dropped from " + outsider.peerId()), v.engine.bft());
            long before = net.minHeight();
            BftNet.await("the chain goes on", 30_000, () -> net.minHeight() >= before + 3);
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
                    .allMatch(p -> p.session().evidence().stream().anyMatch(e -> e.offender().equals(VALIDATORS.get(0).peerId()))));
            for (BftNet.Peer p : net.peers.subList(1, 4)) {
                p.session().evidence().forEach(e -> assertEquals(VALIDATORS.get(0).peerId(), e.offender(), "only the faulty one"));
            }
            String shown = net.peers.get(1).engine.evidence();
            assertTrue(shown.contains(VALIDATORS.get(0).peerId().toString()) && shown.contains("prevote"), shown);
            BftNet.checkInvariants(net.peers, net.minHeight(), spec.totalSupply());
        }
    }
}
