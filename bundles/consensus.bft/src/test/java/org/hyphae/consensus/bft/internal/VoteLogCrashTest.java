package org.hyphae.consensus.bft.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.Hash;
import org.hyphae.pubsub.gossipsub.internal.GossipRouter;
import org.hyphae.storage.memory.MemoryDatastore;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One real validator and three scripted ones: the real one proposes, gets a polka from the script,
 * precommits (locks), and is closed abruptly mid-round. Restarted from its store and vote log with
 * no one else speaking, it would propose a new block and vote for it; the log makes it repeat
 * exactly what it signed.
 */
class VoteLogCrashTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void aValidatorRestartedMidRoundNeverSignsAConflictingVote() throws Exception {
        List<TestIdentity> v = BftNetworkTest.VALIDATORS;
        ChainSpec spec = BftNet.spec("bft-crash", v, null, List.of());
        try (BftNet net = new BftNet(dir)) {
            ValidatorSet set = ValidatorSet.parse(spec.engineAt(1).parameter("validators", ""));
            // The real validator is the proposer of round 0 at height 1.
            TestIdentity real = v.stream().filter(t -> t.peerId().equals(set.proposer(0))).findFirst().orElseThrow();
            List<TestIdentity> script = v.stream().filter(t -> t != real).toList();
            MemoryDatastore store = new MemoryDatastore();
            BftNet.Peer node = net.add(real, spec, store, false);
            String topic = node.ledger.engineTopic("bft");
            Map<String, Hash> signed = new ConcurrentHashMap<>();
            List<String> conflicts = new CopyOnWriteArrayList<>();
            List<GossipRouter> routers = new java.util.ArrayList<>();
            for (TestIdentity s : script) {
                GossipRouter r = net.scripted(s);
                routers.add(r);
            }
            routers.get(0).subscribe(topic, m -> {
                BftMessage msg = BftMessage.decode(m.data());
                Hash id = msg instanceof BftMessage.Vote vote ? vote.blockId()
                        : msg instanceof BftMessage.Proposal p ? p.blockId() : null;
                if (id == null) {
                    return;
                }
                int type = msg instanceof BftMessage.Vote vote ? vote.type() : BftMessage.PROPOSAL;
                String key = msg.height() + "/" + msg.round() + "/" + BftMessage.typeName(type);
                Hash before = signed.putIfAbsent(key, id);
                if (before != null && !before.equals(id)) {
                    conflicts.add(key + ": " + before.shortHex() + " then " + id.shortHex());
                }
            });
            for (int i = 1; i < routers.size(); i++) {
                routers.get(i).subscribe(topic, m -> { });
            }
            for (var h : net.scriptedHosts) {
                net.net.connect(node.host, h);
            }
            net.net.connect(net.scriptedHosts.get(0), net.scriptedHosts.get(1));
            net.net.connect(net.scriptedHosts.get(1), net.scriptedHosts.get(2));
            Thread.sleep(600); // a heartbeat or two: the mesh forms
            node.ledger.start();

            BftNet.await("the real validator's proposal and prevote", 30_000,
                    () -> signed.containsKey("1/0/proposal") && signed.containsKey("1/0/prevote"));
            Hash b = signed.get("1/0/proposal");
            assertEquals(b, signed.get("1/0/prevote"), "it prevotes its own proposal");
            // Two scripted validators prevote it: with the real one's own prevote that is a polka, so it locks and precommits.
            for (int i = 0; i < 2; i++) {
                TestIdentity s = script.get(i);
                byte[] sig = s.sign(BftMessage.Vote.signedBytes(spec.chainId(), BftMessage.PREVOTE, 1, 0, b));
                routers.get(i).publish(topic, new BftMessage.Vote(BftMessage.PREVOTE, 1, 0, b, s.peerId(), sig).encode());
            }
            BftNet.await("its precommit", 30_000, () -> signed.containsKey("1/0/precommit"));
            assertEquals(b, signed.get("1/0/precommit"));
            assertTrue(node.session().status().contains("locked on " + b.shortHex()), node.session().status());

            // Crash: gone without a word, and back from the same store and vote log.
            net.stop(node);
            BftNet.Peer back = net.add(real, spec, store, false);
            for (var h : net.scriptedHosts) {
                net.net.connect(back.host, h);
            }
            back.ledger.start();
            BftNet.await("the restarted validator resumes locked on its block", 30_000,
                    () -> back.session() != null && back.session().status().contains("locked on " + b.shortHex()));
            // It would now propose and prevote a new block (the old one's time has passed); it must repeat itself instead.
            Thread.sleep(6000);
            assertEquals(List.of(), conflicts, "no conflicting signature after the restart");
            assertTrue(back.engine.bft().contains("vote log: 3 signatures"), back.engine.bft());
        }
    }
}
