package org.hyphae.consensus.bft.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.Hash;
import org.hyphae.pubsub.gossipsub.internal.GossipRouter;
import org.hyphae.storage.memory.MemoryDatastore;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A block that comes again with another valid commit certificate (a proposer's sealed copy after a
 * validator sealed its own, or the other way round) is the same block: kept, no fork, no penalty
 * for whoever sent it, and a node whose head is the other copy follows the network onto its copy.
 */
class BftResealTest {

    static final List<TestIdentity> VALIDATORS = List.of(TestIdentity.fromSeedByte(81), TestIdentity.fromSeedByte(82),
            TestIdentity.fromSeedByte(83), TestIdentity.fromSeedByte(84));
    static final List<TestIdentity> USERS = List.of(TestIdentity.fromSeedByte(85), TestIdentity.fromSeedByte(86));

    @TempDir
    Path dir;

    /** The block with a certificate of other validators' precommits (signed here with their keys) for its round. */
    static Block resealed(ChainSpec spec, Block b) {
        BftSeal seal = BftSeal.decode(b.header().seal());
        Hash id = BftSeal.blockId(b.header());
        List<TestIdentity> byIndex = new ArrayList<>(VALIDATORS);
        byIndex.sort(Comparator.comparing(t -> t.peerId(), ValidatorSet.ORDER));
        byte[] signed = BftMessage.Vote.signedBytes(spec.chainId(), BftMessage.PRECOMMIT, b.height(), seal.round(), id);
        List<BftSeal.Commit> commits = new ArrayList<>();
        // Four of four if the seal has three, else the last three: either way another valid certificate.
        for (int i = seal.commits().size() == 4 ? 1 : 0; i < 4; i++) {
            commits.add(new BftSeal.Commit(i, byIndex.get(i).sign(signed)));
        }
        Block other = new Block(b.header().withSeal(new BftSeal(seal.round(), seal.changes(), commits).encode()), b.transactions());
        assertNotEquals(b.hash(), other.hash(), "another seal, another block hash");
        assertEquals(id, BftSeal.blockId(other.header()), "the same block id");
        return other;
    }

    @Test
    @Timeout(180)
    void aCopyWithAnotherCertificateIsTheSameBlock() throws Exception {
        ChainSpec spec = BftNet.spec("bft-reseal", VALIDATORS, null, USERS);
        try (BftNet net = new BftNet(dir)) {
            for (TestIdentity v : VALIDATORS) {
                net.add(v, spec);
            }
            TestIdentity scriptedId = TestIdentity.fromSeedByte(87);
            GossipRouter scripted = net.scripted(scriptedId);
            net.connectAll();
            for (BftNet.Peer p : net.peers) {
                net.net.connect(p.host, net.scriptedHosts.get(0));
            }
            String blockTopic = net.peers.get(0).ledger.blockTopic();
            scripted.subscribe(blockTopic, m -> { });
            net.peers.forEach(p -> p.ledger.start());
            for (int i = 0; i < 4; i++) {
                BftNet.transfer(net.peers.get(i), spec, USERS.get(0), i, USERS.get(1).peerId(), 5);
            }
            BftNet.await("height 6", 60_000, () -> net.minHeight() >= 6);

            // Straight into each ledger: kept beside the canonical copy, not refused.
            Block two = net.peers.get(0).ledger.block(2).orElseThrow();
            Block twoAgain = resealed(spec, two);
            for (BftNet.Peer p : net.peers) {
                assertEquals("SIDE", p.ledger.importBlock(twoAgain), "a re-sealed #2 on " + p);
                assertEquals(two.hash(), p.ledger.block(2).orElseThrow().hash(), "the canonical #2 stays on " + p);
            }
            // Over the block topic from a peer: accepted, the sender not penalized.
            Block three = net.peers.get(0).ledger.block(3).orElseThrow();
            Block threeAgain = resealed(spec, three);
            scripted.publish(blockTopic, threeAgain.encode()).toCompletableFuture().get();
            BftNet.await("the re-sealed #3 kept everywhere", 30_000,
                    () -> net.peers.stream().allMatch(p -> p.ledger.block(threeAgain.hash()).isPresent()));
            for (BftNet.Peer p : net.peers) {
                assertEquals(0, p.ledger.offences(scriptedId.peerId()), "no penalty on " + p + ": " + p.ledger.lastOffence(scriptedId.peerId()));
            }

            // A follower whose head is the other copy of #4: it syncs onto the network's chain.
            long h = net.minHeight();
            MemoryDatastore store = new MemoryDatastore();
            BftNet.Peer follower = net.add(TestIdentity.fromSeedByte(88), spec, store, false);
            for (long i = 1; i < 4; i++) {
                follower.ledger.importBlock(net.peers.get(0).ledger.block(i).orElseThrow());
            }
            Block four = net.peers.get(0).ledger.block(4).orElseThrow();
            assertEquals("HEAD", follower.ledger.importBlock(resealed(spec, four)));
            assertNotEquals(four.hash(), follower.ledger.head().hash());
            for (BftNet.Peer p : new ArrayList<>(net.peers)) {
                if (p != follower) {
                    net.connect(follower, p);
                }
            }
            follower.ledger.start();
            follower.ledger.syncNow();
            BftNet.await("the follower past #" + (h + 2) + " (" + BftNet.heights(net.peers) + ")", 60_000,
                    () -> follower.ledger.height() >= h + 2);
            assertEquals(four.hash(), follower.ledger.block(4).orElseThrow().hash(), "the follower took the network's #4");
            for (BftNet.Peer p : net.peers) {
                if (p != follower) {
                    PeerId id = p.id.peerId();
                    assertEquals(0, follower.ledger.offences(id), "the follower penalized " + p + ": " + follower.ledger.lastOffence(id));
                }
            }
            BftNet.checkInvariants(net.peers, Math.min(net.minHeight(), follower.ledger.height()), spec.totalSupply());
        }
    }
}
