package org.hyphae.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Properties;

import org.hyphae.consensus.ConsensusEngine;
import org.hyphae.consensus.pow.internal.PowEngine;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.Transaction;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Proof-of-work nodes in one JVM over the in-memory network with real GossipSub and sync. */
class PowNetworkTest {

    private final List<TestIdentity> users = List.of(TestIdentity.fromSeedByte(51), TestIdentity.fromSeedByte(52));

    /**
     * A pow chain whose block time is far above what the miners take, so every window retargets
     * to four times the work: the work of a branch grows with its length.
     */
    static ChainSpec spec(String id, List<TestIdentity> users, long difficulty) {
        return spec(id, users, difficulty, 5);
    }

    /** A pow chain with a given retarget window (a window longer than the chain keeps the initial difficulty). */
    static ChainSpec spec(String id, List<TestIdentity> users, long difficulty, long window) {
        Properties p = new Properties();
        p.setProperty("chain.id", id);
        p.setProperty("genesis.time", String.valueOf(System.currentTimeMillis() - 60_000));
        for (TestIdentity u : users) {
            p.setProperty("balance." + u.peerId(), "1000000");
        }
        p.setProperty("consensus.1.engine", "pow");
        p.setProperty("consensus.1.difficulty", String.valueOf(difficulty));
        p.setProperty("consensus.1.blockTime", "60000");
        p.setProperty("consensus.1.window", String.valueOf(window));
        return ChainSpec.parse(p, users.get(0).peerId());
    }

    static ConsensusEngine pow(String name, PowEngine engine) {
        return "pow".equals(name) ? engine : null;
    }

    /**
     * Waits until the miner's head has stayed the same for twice the template refresh: a session
     * that was mining when its threads went to 0 may still find one block before it follows.
     */
    private static void awaitMiningStopped(TestNet.Peer miner) throws InterruptedException {
        long quietMs = 2 * 1000;
        Hash seen = miner.ledger.head().hash();
        long since = System.currentTimeMillis();
        long end = since + 30_000;
        while (System.currentTimeMillis() - since < quietMs) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("the miner's head still moves 30 s after its threads went to 0");
            }
            Thread.sleep(50);
            Hash now = miner.ledger.head().hash();
            if (!now.equals(seen)) {
                seen = now;
                since = System.currentTimeMillis();
            }
        }
    }

    private Transaction transfer(ChainSpec spec, TestIdentity from, long nonce, TestIdentity to, long amount) {
        Transaction t = Transaction.transfer(spec.chainId(), from.peerId(), nonce, 1, to.peerId(), amount);
        return t.withSignature(from.sign(t.signingBytes()));
    }

    @Test
    @Timeout(120)
    void aMinerExtendsTheChainOnEveryNewHeadAndAFollowerVerifiesIt() throws Exception {
        ChainSpec spec = spec("pow-mine", users, 256);
        try (TestNet net = new TestNet()) {
            PowEngine minerEngine = new PowEngine();
            TestNet.Peer miner = net.add(TestIdentity.fromSeedByte(61), spec, n -> pow(n, minerEngine));
            TestNet.Peer follower = net.add(TestIdentity.fromSeedByte(62), spec, n -> pow(n, new PowEngine()));
            net.meshAll();
            net.peers.forEach(p -> p.ledger.start());
            Thread.sleep(500);
            assertEquals(0, miner.ledger.height(), "mining is off by default");

            minerEngine.threads(1);
            Transaction t = transfer(spec, users.get(0), 0, users.get(1), 77);
            follower.ledger.submit(t).toCompletableFuture().get();
            TestNet.await("the transfer mined and seen by the follower", 60_000,
                    () -> follower.ledger.transaction(t.hash()).isPresent() && miner.ledger.height() >= 12);
            minerEngine.threads(0);
            TestNet.await("the follower at the miner's head", 30_000, () -> follower.ledger.head().equals(miner.ledger.head()));
            long h = follower.ledger.height();
            // Three retargets happened (heights 6, 11): each block's work is at least its predecessor's.
            long[] work = new long[(int) h + 1];
            for (long i = 1; i <= h; i++) {
                work[(int) i] = follower.ledger.chain().weightOf(follower.ledger.block(i).orElseThrow().hash());
            }
            assertTrue(work[11] - work[10] > work[5] - work[4], "difficulty went up at the retargets");
            NetworkTest.checkInvariants(net.peers, h, spec.totalSupply());
            assertEquals(1_000_000 - 78, follower.ledger.account(users.get(0).peerId()).balance());
            Thread.sleep(500);
            long stopped = miner.ledger.height();
            Thread.sleep(1000);
            assertEquals(stopped, miner.ledger.height(), "threads 0 stops mining");
        }
    }

    @Test
    @Timeout(180)
    void twoHalvesMineApartThenJoinTheHeavierChainWinsAndTheLosersTransactionsReturn() throws Exception {
        ChainSpec spec = spec("pow-split", users, 256);
        try (TestNet net = new TestNet()) {
            PowEngine engineA = new PowEngine();
            PowEngine engineB = new PowEngine();
            TestNet.Peer a = net.add(TestIdentity.fromSeedByte(63), spec, n -> pow(n, engineA));
            TestNet.Peer a2 = net.add(TestIdentity.fromSeedByte(64), spec, n -> pow(n, new PowEngine()));
            TestNet.Peer b = net.add(TestIdentity.fromSeedByte(65), spec, n -> pow(n, engineB));
            TestNet.Peer b2 = net.add(TestIdentity.fromSeedByte(66), spec, n -> pow(n, new PowEngine()));
            net.connect(a, a2);
            net.connect(b, b2);
            net.peers.forEach(p -> p.ledger.start());

            // Half A: a short branch with a transfer of user 0's that half B never sees.
            Transaction onlyA = transfer(spec, users.get(0), 0, users.get(1), 1000);
            a2.ledger.submit(onlyA).toCompletableFuture().get();
            engineA.threads(1);
            TestNet.await("half A mines its transfer and 6 blocks", 60_000,
                    () -> a2.ledger.transaction(onlyA.hash()).isPresent() && a2.ledger.height() >= 6);
            engineA.threads(0);
            awaitMiningStopped(a2);
            TestNet.await("half A agrees", 30_000, () -> a.ledger.head().equals(a2.ledger.head()));

            // Half B: a longer, heavier branch with a transfer of user 1's.
            Transaction onlyB = transfer(spec, users.get(1), 0, users.get(0), 500);
            b2.ledger.submit(onlyB).toCompletableFuture().get();
            engineB.threads(1);
            long weightA = a.ledger.chain().headWeight();
            TestNet.await("half B mines a heavier branch", 90_000, () -> b2.ledger.transaction(onlyB.hash()).isPresent()
                    && b.ledger.chain().headWeight() > 2 * weightA && b.ledger.height() > a.ledger.height());
            engineB.threads(0);
            awaitMiningStopped(b2);
            TestNet.await("half B agrees", 30_000, () -> b.ledger.head().equals(b2.ledger.head()));
            Hash winner = b.ledger.head().hash();
            assertFalse(b.ledger.transaction(onlyA.hash()).isPresent());

            // Join the halves: every node takes B's branch, and A's transfer goes back to A's pools.
            net.connect(a2, b2);
            net.connect(a, b);
            a.ledger.syncNow();
            a2.ledger.syncNow();
            try {
                TestNet.await("every node on B's head", 60_000,
                        () -> net.peers.stream().allMatch(p -> p.ledger.head().hash().equals(winner)));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + " #" + b.ledger.height() + " " + winner + "; heads: "
                        + net.peers.stream().map(p -> "#" + p.ledger.height() + " " + p.ledger.head().hash()).toList(), e);
            }
            for (TestNet.Peer p : List.of(a, a2)) {
                assertFalse(p.ledger.transaction(onlyA.hash()).isPresent(), "A's block with the transfer is off the chain");
                assertTrue(p.ledger.transaction(onlyB.hash()).isPresent());
                assertTrue(p.ledger.pending(100).stream().anyMatch(t -> t.hash().equals(onlyA.hash())),
                        "the losing branch's transfer is pending again on " + p.host.localPeer());
            }
            NetworkTest.checkInvariants(net.peers, winner.equals(b.ledger.head().hash()) ? b.ledger.height() : 0, spec.totalSupply());

            // Mining again (on A's side): the returned transfer gets into the winning chain everywhere.
            engineA.threads(1);
            TestNet.await("A's transfer mined on the joined chain", 90_000,
                    () -> net.peers.stream().allMatch(p -> p.ledger.transaction(onlyA.hash()).isPresent()));
            engineA.threads(0);
            TestNet.await("heads agree", 30_000, () -> net.peers.stream().map(p -> p.ledger.head().hash()).distinct().count() == 1);
            NetworkTest.checkInvariants(net.peers, a.ledger.height(), spec.totalSupply());
            assertEquals(1_000_000 - 1001 + 500, a.ledger.account(users.get(0).peerId()).balance());
        }
    }
}
