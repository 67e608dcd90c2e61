package org.hyphae.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.hyphae.consensus.ChainView;
import org.hyphae.consensus.ConsensusEngine;
import org.hyphae.consensus.EngineContext;
import org.hyphae.consensus.EngineSession;
import org.hyphae.consensus.poa.internal.CliqueEngine;
import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.Transaction;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A peer with a fake history (blocks by a key that is no signer, made to look heavy) and bad gossip. */
class LyingPeerTest {

    /** Accepts every header and claims great weight: what a liar's node would run. */
    static final class Anything implements ConsensusEngine {
        @Override
        public void verifyHeader(ChainView chain, BlockHeader parent, BlockHeader header) {
        }

        @Override
        public long weight(ChainView chain, BlockHeader header) {
            return 1000;
        }

        @Override
        public long finalizedHeight(ChainView chain, BlockHeader head) {
            return 0;
        }

        @Override
        public EngineSession start(EngineContext context) {
            return new EngineSession() {
                @Override
                public void onHead(BlockHeader head) {
                }

                @Override
                public void onMessage(PeerId from, byte[] message) {
                }

                @Override
                public void close() {
                }
            };
        }
    }

    @Test
    @Timeout(120)
    void fakeHistoryAndBadGossipAreRejectedThePeerPenalizedTheChainUntouched() throws Exception {
        TestIdentity signer = TestIdentity.fromSeedByte(51);
        TestIdentity user = TestIdentity.fromSeedByte(52);
        TestIdentity liarId = TestIdentity.fromSeedByte(53);
        ChainSpec spec = NetworkTest.spec(List.of(signer), List.of(user, liarId), 100);
        try (TestNet net = new TestNet()) {
            TestNet.Peer honest = net.add(signer, spec, n -> NetworkTest.poa(n, new CliqueEngine()));
            TestNet.Peer follower = net.add(TestIdentity.fromSeedByte(54), spec, n -> NetworkTest.poa(n, new CliqueEngine()));
            Anything fake = new Anything();
            TestNet.Peer liar = net.add(liarId, spec, n -> "poa".equals(n) ? fake : null);
            // The liar's history: 30 blocks sealed by its own key, with a transfer to itself.
            Chain lc = liar.ledger.chain();
            long time = System.currentTimeMillis() - 30_000;
            for (int i = 0; i < 30; i++) {
                List<Transaction> txs = List.of();
                if (i == 0) {
                    Transaction t = Transaction.transfer(spec.chainId(), liarId.peerId(), 0, 0, liarId.peerId(), 5);
                    txs = List.of(t.withSignature(liarId.sign(t.signingBytes())));
                }
                Block b = CliqueEngine.seal(lc.assemble(lc.head(), time += 200, liarId.peerId(), txs), liarId::sign, Optional.empty());
                assertEquals(Chain.Outcome.HEAD, lc.importBlock(b));
            }
            net.meshAll();
            honest.ledger.start();
            follower.ledger.start();
            liar.ledger.start();

            TestNet.await("liar penalized by the follower's sync", 30_000,
                    () -> follower.ledger.offences(liarId.peerId()) > 0 && honest.ledger.offences(liarId.peerId()) > 0);
            String why = follower.ledger.lastOffence(liarId.peerId());
            assertTrue(why.contains("not an authorized signer"), why);
            TestNet.await("honest chain grows and the follower follows it", 30_000,
                    () -> follower.ledger.height() >= 5 && honest.ledger.height() >= 5);
            for (long h = 1; h <= 3; h++) {
                assertEquals(signer.peerId(), follower.ledger.block(h).orElseThrow().header().proposer().orElseThrow());
                assertEquals(honest.ledger.block(h).orElseThrow().hash(), follower.ledger.block(h).orElseThrow().hash());
            }
            assertFalse(follower.ledger.chain().known(lc.hashAt(5).orElseThrow()), "no fake block stored");

            // Gossip: a fake block, a transaction with a forged signature, one for another chain.
            int offences = follower.ledger.offences(liarId.peerId());
            Block fakeBlock = CliqueEngine.seal(lc.assemble(lc.head(), time + 200, liarId.peerId(), List.of()), liarId::sign, Optional.empty());
            BlockHeader fh = follower.ledger.head();
            BlockHeader onHonest = new BlockHeader(fh.hash(), fh.height() + 1, System.currentTimeMillis(), fakeBlock.header().txRoot(),
                    fh.stateRoot(), Optional.of(liarId.peerId()), new byte[0]);
            Block forged = CliqueEngine.seal(new Block(onHonest, List.of()), liarId::sign, Optional.empty());
            liar.router.publish(liar.ledger.blockTopic(), forged.encode()).toCompletableFuture().get();
            TestNet.await("gossiped fake block rejected", 20_000, () -> follower.ledger.offences(liarId.peerId()) > offences);
            assertTrue(follower.ledger.lastOffence(liarId.peerId()).contains("invalid block"), follower.ledger.lastOffence(liarId.peerId()));

            Transaction t = Transaction.transfer(spec.chainId(), user.peerId(), 0, 1, liarId.peerId(), 1000);
            Transaction badSig = t.withSignature(liarId.sign(t.signingBytes()));
            Transaction other = Transaction.transfer("other", liarId.peerId(), 0, 1, user.peerId(), 1);
            other = other.withSignature(liarId.sign(other.signingBytes()));
            liar.router.publish(liar.ledger.transactionTopic(), TransactionBatch.encode(List.of(badSig))).toCompletableFuture().get();
            liar.router.publish(liar.ledger.transactionTopic(), TransactionBatch.encode(List.of(other))).toCompletableFuture().get();
            Thread.sleep(1500);
            Hash bad = badSig.hash();
            assertTrue(follower.ledger.pending(100).stream().noneMatch(x -> x.hash().equals(bad)));
            assertTrue(honest.ledger.transaction(bad).isEmpty());
            assertEquals(1_000_000, follower.ledger.account(user.peerId()).balance());
            assertEquals(spec.totalSupply(), follower.ledger.totalBalance());
        }
    }
}
