package org.hyphae.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.hyphae.consensus.pow.internal.PowEngine;
import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.Hash;
import org.hyphae.pubsub.Message;
import org.hyphae.pubsub.ValidationResult;
import org.hyphae.storage.memory.MemoryDatastore;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Blocks that arrive before their parent wait in the orphan pool and are imported when it comes. */
class OrphanBlockTest {

    private final List<TestIdentity> users = List.of(TestIdentity.fromSeedByte(71), TestIdentity.fromSeedByte(72));
    private final TestIdentity minerId = TestIdentity.fromSeedByte(73);
    private final PeerId sender = TestIdentity.fromSeedByte(74).peerId();
    private final ChainSpec spec = PowNetworkTest.spec("pow-orphans", users, 16);
    private final PowEngine engine = new PowEngine();
    private int seq;

    private Chain source() throws Exception {
        return new Chain(new MemoryDatastore(), spec, n -> PowNetworkTest.pow(n, engine),
                new SignatureVerifier(minerId), System::currentTimeMillis, new Chain.Limits(5000, 100));
    }

    private Block mine(Chain c) throws Exception {
        BlockHeader head = c.head();
        Block b = PowEngine.mine(c.view(spec.engineAt(head.height() + 1), Map.of()),
                c.assemble(head, Math.max(head.time() + 1, System.currentTimeMillis() - 1000), minerId.peerId(), List.of()));
        assertEquals(Chain.Outcome.HEAD, c.importBlock(b));
        return b;
    }

    private ValidationResult deliver(LedgerNode node, Block b) {
        byte[] seqno = java.nio.ByteBuffer.allocate(8).putLong(++seq).array();
        return node.blockValidator().validate(new Message(seqno, Optional.of(sender), b.encode(), seqno, node.blockTopic(), true, sender));
    }

    @Test
    @Timeout(60)
    void orphansWaitForTheirParentAndAnInvalidOneCostsItsSender() throws Exception {
        Chain src = source();
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            blocks.add(mine(src));
        }
        try (TestNet net = new TestNet()) {
            TestNet.Peer p = net.add(TestIdentity.fromSeedByte(75), spec, n -> PowNetworkTest.pow(n, new PowEngine()));
            p.ledger.start();
            LedgerNode node = p.ledger;
            // Heights 3, 4, 2 first: nothing to attach them to yet.
            for (int i : new int[] {2, 3, 1}) {
                assertEquals(ValidationResult.IGNORE, deliver(node, blocks.get(i)));
            }
            assertEquals(0, node.height());
            assertEquals(3, node.orphanCount());
            assertEquals(ValidationResult.ACCEPT, deliver(node, blocks.get(0)));
            TestNet.await("the orphans connected", 20_000, () -> node.height() == 4);
            assertEquals(blocks.get(3).hash(), node.head().hash());
            assertEquals(0, node.orphanCount());
            assertEquals(0, node.offences(sender));

            // A child of block 5 whose work is fake waits, then fails when 5 arrives: its sender pays.
            Block parent = blocks.get(4);
            Block honest6 = mine(src);
            BlockHeader h6 = honest6.header();
            byte[] seal = h6.seal();
            Block fake6;
            long nonce = 0;
            do {
                java.nio.ByteBuffer.wrap(seal, 33, 8).putLong(nonce++);
                fake6 = new Block(h6.withSeal(seal), honest6.transactions());
            } while (fake6.hash().equals(honest6.hash()) || meets(src, parent.header(), fake6));
            assertEquals(ValidationResult.IGNORE, deliver(node, fake6));
            assertEquals(1, node.orphanCount());
            assertEquals(ValidationResult.ACCEPT, deliver(node, parent));
            TestNet.await("the fake orphan refused and its sender penalized", 20_000, () -> node.offences(sender) == 1);
            assertTrue(node.lastOffence(sender).contains("invalid orphan block"), node.lastOffence(sender));
            assertTrue(node.lastOffence(sender).contains("above the target"), node.lastOffence(sender));
            assertEquals(5, node.height());
            assertEquals(0, node.orphanCount());

            // An orphan whose body does not match its header is refused at once, not kept.
            Block mismatched = new Block(blocks.get(2).header().withSeal(new byte[] {1}), List.of());
            Block bogus = new Block(new BlockHeader(Hash.sha256(new byte[] {5}), 40, System.currentTimeMillis(),
                    Hash.sha256(new byte[] {6}), mismatched.header().stateRoot(), Optional.of(sender), new byte[0]), List.of());
            assertEquals(ValidationResult.REJECT, deliver(node, bogus));
            assertTrue(node.lastOffence(sender).contains("transaction root"), node.lastOffence(sender));
            Block future = new Block(new BlockHeader(Hash.sha256(new byte[] {5}), 40, System.currentTimeMillis() + 3_600_000,
                    MerkleTree.EMPTY, mismatched.header().stateRoot(), Optional.of(sender), new byte[0]), List.of());
            assertEquals(ValidationResult.REJECT, deliver(node, future));
            assertTrue(node.lastOffence(sender).contains("in the future"), node.lastOffence(sender));
            assertEquals(0, node.orphanCount());
        }
    }

    /** Whether the engine takes the block's work (a changed nonce meets an easy target now and then). */
    private boolean meets(Chain src, BlockHeader parent, Block b) {
        try {
            engine.verifyHeader(src.view(spec.engineAt(b.height()), Map.of()), parent, b.header());
            return true;
        } catch (org.hyphae.ledger.InvalidBlockException e) {
            return false;
        }
    }
}
