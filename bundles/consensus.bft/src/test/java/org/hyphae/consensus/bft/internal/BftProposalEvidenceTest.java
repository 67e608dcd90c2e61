package org.hyphae.consensus.bft.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.Hash;
import org.hyphae.pubsub.gossipsub.internal.GossipRouter;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A proposer that signs two different proposals for one height and round: the honest validators
 * keep the evidence (seen or gossiped), show it in {@code hyphae:evidence}, and the chain goes on.
 * The faulty proposer is a scripted GossipSub peer holding the fourth validator's key.
 */
class BftProposalEvidenceTest {

    static final List<TestIdentity> VALIDATORS = List.of(TestIdentity.fromSeedByte(91), TestIdentity.fromSeedByte(92),
            TestIdentity.fromSeedByte(93), TestIdentity.fromSeedByte(94));

    @TempDir
    Path dir;

    static BftMessage.Proposal proposal(ChainSpec spec, TestIdentity by, long height, int round, byte tag) {
        Hash id = Hash.sha256(new byte[] {tag, (byte) height, (byte) round});
        Hash parts = Hash.sha256(new byte[] {tag, 1});
        byte[] sig = by.sign(BftMessage.Proposal.signedBytes(spec.chainId(), height, round, -1, id, parts, 1));
        return new BftMessage.Proposal(height, round, -1, id, parts, 1, by.peerId(), sig);
    }

    @Test
    @Timeout(180)
    void twoProposalsOfOneRoundAreKeptAsEvidence() throws Exception {
        ChainSpec spec = BftNet.spec("bft-two-proposals", VALIDATORS, null, List.of(TestIdentity.fromSeedByte(95)));
        TestIdentity faulty = VALIDATORS.get(3);
        try (BftNet net = new BftNet(dir)) {
            for (TestIdentity v : VALIDATORS.subList(0, 3)) {
                net.add(v, spec);
            }
            GossipRouter scripted = net.scripted(faulty);
            net.connectAll();
            for (BftNet.Peer p : net.peers) {
                net.net.connect(p.host, net.scriptedHosts.get(0));
            }
            String topic = net.peers.get(0).ledger.engineTopic("bft");
            scripted.subscribe(topic, m -> { });
            net.peers.forEach(p -> p.ledger.start());
            BftNet.await("height 3", 60_000, () -> net.minHeight() >= 3);

            long end = System.currentTimeMillis() + 60_000;
            while (!net.peers.stream().allMatch(p -> p.session().evidence().stream()
                    .anyMatch(e -> e.offender().equals(faulty.peerId()) && e.type() == BftMessage.PROPOSAL))) {
                assertTrue(System.currentTimeMillis() < end, "no proposal evidence everywhere: "
                        + net.peers.stream().map(p -> p.session().evidence().toString()).toList());
                // Two proposals for each of the next heights' first rounds: in one of them the faulty one proposes.
                long next = net.peers.stream().mapToLong(p -> p.ledger.height()).max().orElseThrow() + 1;
                for (long h = next; h <= next + 1; h++) {
                    for (int r = 0; r < 4; r++) {
                        scripted.publish(topic, proposal(spec, faulty, h, r, (byte) 1).encode());
                        scripted.publish(topic, proposal(spec, faulty, h, r, (byte) 2).encode());
                    }
                }
                Thread.sleep(1500);
            }
            for (BftNet.Peer p : net.peers) {
                p.session().evidence().forEach(e -> assertEquals(faulty.peerId(), e.offender(), "only the faulty one on " + p));
            }
            String shown = net.peers.get(1).engine.evidence();
            assertTrue(shown.contains(faulty.peerId().toString()) && shown.contains("two proposals"), shown);
            // The chain goes on with the three honest validators.
            long h = net.minHeight();
            BftNet.await("three more blocks", 60_000, () -> net.minHeight() >= h + 3);
            BftNet.checkInvariants(net.peers, net.minHeight(), spec.totalSupply());
        }
    }
}
