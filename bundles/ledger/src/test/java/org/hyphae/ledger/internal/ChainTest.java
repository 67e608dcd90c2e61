package org.hyphae.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Account;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.InvalidBlockException;
import org.hyphae.ledger.Transaction;
import org.hyphae.storage.fs.MvStoreDatastore;
import org.hyphae.storage.memory.MemoryDatastore;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChainTest {

    private final Fixture f = new Fixture(3, 3);
    private final TestIdentity alice = f.users.get(0);
    private final TestIdentity bob = f.users.get(1);

    private Block next(Chain c, List<Transaction> txs) {
        long h = c.head().height() + 1;
        return f.block(c, c.head(), f.inTurn(h), txs);
    }

    @Test
    void appliesTransfersConservesBalanceAndIndexesEverything() throws Exception {
        Chain c = f.chain(new MemoryDatastore());
        long supply = c.totalBalance();
        assertEquals(f.spec.totalSupply(), supply);
        Transaction t1 = f.transfer(alice, 0, 5, bob.peerId(), 100);
        Transaction t2 = f.transfer(alice, 1, 5, bob.peerId(), 50);
        Block b1 = next(c, List.of(t1, t2));
        assertEquals(2, b1.transactions().size());
        assertEquals(Chain.Outcome.HEAD, c.importBlock(b1));
        assertEquals(Chain.Outcome.KNOWN, c.importBlock(b1));
        assertEquals(new Account(1_000_000 - 160, 2), c.account(alice.peerId()));
        assertEquals(new Account(1_000_150, 0), c.account(bob.peerId()));
        assertEquals(10, c.account(b1.header().proposer().orElseThrow()).balance());
        assertEquals(supply, c.totalBalance());
        assertEquals(b1.hash(), c.hashAt(1).orElseThrow());
        assertEquals(1, c.transaction(t2.hash()).orElseThrow().index());
        assertEquals(b1.header(), c.block(b1.hash()).orElseThrow().header());
    }

    @Test
    void aProposersOwnBlockIsImportedFromItsAssemblyWithTheSameStateAsAPeerThatExecutesIt() throws Exception {
        Chain producer = f.chain(new MemoryDatastore());
        Chain peer = f.chain(new MemoryDatastore());
        for (int i = 0; i < 3; i++) {
            Block b = next(producer, List.of(f.transfer(alice, i, 2, bob.peerId(), 7), f.transfer(bob, i, 1, alice.peerId(), 3)));
            assertEquals(Chain.Outcome.HEAD, producer.importBlock(b));
            if (i == 2) {
                // As a BFT validator checks a proposal before its prevote, and imports the decided block after.
                peer.validateOnHead(b);
            }
            assertEquals(Chain.Outcome.HEAD, peer.importBlock(b));
        }
        assertEquals(3, producer.reusedExecutions(), "the producer took each block's state from its assembly");
        assertEquals(1, peer.reusedExecutions(), "the peer executed the blocks it had not checked, and took the checked one's state");
        assertEquals(peer.head(), producer.head());
        assertEquals(peer.account(alice.peerId()), producer.account(alice.peerId()));
        assertEquals(peer.account(bob.peerId()), producer.account(bob.peerId()));
        // Another block than the one assembled (a rival at the same height) is executed, not taken from the assembly.
        next(producer, List.of(f.transfer(alice, 3, 1, bob.peerId(), 1)));
        Block other = next(peer, List.of(f.transfer(bob, 3, 1, alice.peerId(), 1)));
        assertEquals(Chain.Outcome.HEAD, producer.importBlock(other));
        assertEquals(Chain.Outcome.HEAD, peer.importBlock(other));
        assertEquals(3, producer.reusedExecutions());
        assertEquals(peer.account(alice.peerId()), producer.account(alice.peerId()));
        assertEquals(peer.account(bob.peerId()), producer.account(bob.peerId()));
    }

    @Test
    void aCandidateWhoseCreditOverflowsIsLeftOutWithoutTouchingTheStateOfTheBlock() throws Exception {
        // A chain file whose supply does not fit a long is accepted; a credit can then overflow after the debit.
        Fixture rich = new Fixture(3, 3, i -> i == 1 ? Long.MAX_VALUE - 5 : 1_000_000);
        TestIdentity a = rich.users.get(0);
        TestIdentity b = rich.users.get(1);
        TestIdentity c = rich.users.get(2);
        Chain producer = rich.chain(new MemoryDatastore());
        Chain peer = rich.chain(new MemoryDatastore());
        Block block = rich.block(producer, producer.head(), rich.inTurn(1),
                List.of(rich.transfer(a, 0, 1, b.peerId(), 10), rich.transfer(c, 0, 1, a.peerId(), 5)));
        assertEquals(1, block.transactions().size(), "the overflowing transfer is left out");
        assertEquals(Chain.Outcome.HEAD, peer.importBlock(block), "the state root is that of the transactions in the block");
        assertEquals(Chain.Outcome.HEAD, producer.importBlock(block));
        assertEquals(new Account(1_000_005, 0), peer.account(a.peerId()));
        assertEquals(peer.account(a.peerId()), producer.account(a.peerId()));
    }

    @Test
    void aRunOfBlocksImportsInOneBatchAndABadBlockInItKeepsOnlyTheValidOnesBefore() throws Exception {
        Chain producer = f.chain(new MemoryDatastore());
        List<Block> run = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Block b = next(producer, List.of(f.transfer(alice, i, 1, bob.peerId(), 10 + i)));
            assertEquals(Chain.Outcome.HEAD, producer.importBlock(b));
            run.add(b);
        }
        Chain whole = f.chain(new MemoryDatastore());
        assertEquals(6, whole.importRun(run));
        assertEquals(producer.head(), whole.head());
        assertEquals(producer.account(bob.peerId()), whole.account(bob.peerId()));
        assertEquals(f.spec.totalSupply(), whole.totalBalance());
        assertEquals(run.get(4).hash(), whole.hashAt(5).orElseThrow());
        assertEquals(6, whole.transaction(run.get(5).transactions().get(0).hash()).orElseThrow().blockHeight());

        // Block 4 of the run with a state root that its transactions do not give, correctly sealed.
        BlockHeader h = run.get(3).header();
        BlockHeader wrong = new BlockHeader(h.parent(), h.height(), h.time(), h.txRoot(), Hash.sha256(new byte[] {9}), h.proposer(),
                new byte[0]);
        List<Block> bad = new ArrayList<>(run);
        bad.set(3, f.sealed(wrong, run.get(3).transactions(), f.inTurn(4)));
        Chain partly = f.chain(new MemoryDatastore());
        String why = assertThrows(InvalidBlockException.class, () -> partly.importRun(bad)).getMessage();
        assertTrue(why.contains("state root"), why);
        assertEquals(3, partly.head().height(), "the three valid blocks before the bad one are kept");
        assertEquals(run.get(2).hash(), partly.headHash());
        assertFalse(partly.known(bad.get(3).hash()));
        assertEquals(f.spec.totalSupply(), partly.totalBalance());
    }

    @Test
    void refusesBadTransactionsInBlocksAndLeavesTheChainUntouched() throws Exception {
        Chain c = f.chain(new MemoryDatastore());
        c.importBlock(next(c, List.of(f.transfer(alice, 0, 1, bob.peerId(), 10))));
        BlockHeader head = c.head();
        Account before = c.account(alice.peerId());

        Transaction good = f.transfer(alice, 1, 1, bob.peerId(), 10);
        Transaction forged = good.withSignature(bob.sign(good.signingBytes()));
        assertRefused(c, List.of(forged), "bad signature");

        Transaction otherChain = Transaction.transfer("other-chain", alice.peerId(), 1, 1, bob.peerId(), 10);
        otherChain = otherChain.withSignature(alice.sign(otherChain.signingBytes()));
        assertRefused(c, List.of(otherChain), "is for chain \"other-chain\"");

        assertRefused(c, List.of(f.transfer(alice, 0, 1, bob.peerId(), 10)), "replayed");
        assertRefused(c, List.of(f.transfer(alice, 5, 1, bob.peerId(), 10)), "gap");
        // Double spend: two transfers that together exceed the balance.
        assertRefused(c, List.of(f.transfer(alice, 1, 0, bob.peerId(), 600_000), f.transfer(alice, 2, 0, bob.peerId(), 600_000)),
                "but the balance is");
        assertRefused(c, List.of(good, good), "appears twice");

        assertEquals(head, c.head());
        assertEquals(before, c.account(alice.peerId()));
        assertEquals(f.spec.totalSupply(), c.totalBalance());
    }

    /** Puts the transactions in a correctly sealed block (roots computed as if they applied) and expects refusal. */
    private void assertRefused(Chain c, List<Transaction> txs, String reason) {
        BlockHeader parent = c.head();
        long h = parent.height() + 1;
        f.clock = Math.max(f.clock, parent.time() + Fixture.PERIOD);
        BlockHeader header = new BlockHeader(parent.hash(), h, f.clock, MerkleTree.transactionRoot(txs), parent.stateRoot(),
                Optional.of(f.inTurn(h).peerId()), new byte[0]);
        Block b = f.sealed(header, txs, f.inTurn(h));
        InvalidBlockException e = assertThrows(InvalidBlockException.class, () -> c.importBlock(b));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void refusesWrongRootsFutureTimesAndUnauthorizedOrGreedySigners() throws Exception {
        Chain c = f.chain(new MemoryDatastore());
        Block good = next(c, List.of(f.transfer(alice, 0, 1, bob.peerId(), 10)));
        BlockHeader g = good.header();
        TestIdentity signer = f.inTurn(1);

        BlockHeader wrongState = new BlockHeader(g.parent(), 1, g.time(), g.txRoot(), Hash.sha256(new byte[] {1}), g.proposer(), new byte[0]);
        expect(c, f.sealed(wrongState, good.transactions(), signer), "state root");

        BlockHeader wrongTx = new BlockHeader(g.parent(), 1, g.time(), MerkleTree.EMPTY, g.stateRoot(), g.proposer(), new byte[0]);
        expect(c, f.sealed(wrongTx, good.transactions(), signer), "transaction root");

        BlockHeader future = new BlockHeader(g.parent(), 1, f.clock + 60_000, g.txRoot(), g.stateRoot(), g.proposer(), new byte[0]);
        expect(c, f.sealed(future, good.transactions(), signer), "in the future");

        TestIdentity stranger = TestIdentity.fromSeedByte(77);
        Block byStranger = f.block(c, c.head(), stranger, good.transactions());
        expect(c, byStranger, "not an authorized signer");

        // A seal by someone else than the named proposer.
        expect(c, f.sealed(new BlockHeader(g.parent(), 1, g.time(), g.txRoot(), g.stateRoot(), g.proposer(), new byte[0]),
                good.transactions(), stranger), "not " + signer.peerId() + "'s signature");

        Block tampered = new Block(g.withSeal(new byte[] {1, 0}), good.transactions());
        expect(c, tampered, "malformed poa seal");

        assertEquals(0, c.head().height());
        assertEquals(Chain.Outcome.HEAD, c.importBlock(good));
        // The same signer again at once: with 3 signers it must wait one block.
        Block again = f.block(c, c.head(), signer, List.of());
        expect(c, again, "signed block #1 recently");
        // Too soon after the parent.
        BlockHeader soon = f.block(c, c.head(), f.inTurn(2), List.of()).header();
        BlockHeader early = new BlockHeader(soon.parent(), 2, c.head().time() + 1, soon.txRoot(), soon.stateRoot(), soon.proposer(), new byte[0]);
        expect(c, f.sealed(early, List.of(), f.inTurn(2)), "period");
        assertEquals(1, c.head().height());
    }

    private static void expect(Chain c, Block b, String reason) {
        InvalidBlockException e = assertThrows(InvalidBlockException.class, () -> c.importBlock(b));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void heavierInTurnBranchReorganisesAndUndoRestoresState() throws Exception {
        Chain c = f.chain(new MemoryDatastore());
        List<Block> reported = new ArrayList<>();
        c.addListener((head, removed, added) -> reported.addAll(removed));
        c.importBlock(next(c, List.of()));
        BlockHeader base = c.head();
        // Out of turn at height 2, with a transfer: weight 1.
        TestIdentity outOfTurn = f.signers.stream().filter(s -> !s.equals(f.inTurn(2)) && !s.equals(f.inTurn(1))).findFirst().orElseThrow();
        Transaction t = f.transfer(alice, 0, 1, bob.peerId(), 500);
        Block side = f.block(c, base, outOfTurn, List.of(t));
        assertEquals(Chain.Outcome.HEAD, c.importBlock(side));
        assertEquals(500, c.account(bob.peerId()).balance() - 1_000_000);
        // Build the competing in-turn block on `base` by hand (the assembler only builds on the head).
        f.clock += Fixture.PERIOD;
        BlockHeader h2 = new BlockHeader(base.hash(), 2, base.time() + Fixture.PERIOD, MerkleTree.EMPTY, base.stateRoot(),
                Optional.of(f.inTurn(2).peerId()), new byte[0]);
        Block inTurn = f.sealed(h2, List.of(), f.inTurn(2));
        assertEquals(Chain.Outcome.REORG, c.importBlock(inTurn));
        assertEquals(inTurn.hash(), c.headHash());
        assertEquals(new Account(1_000_000, 0), c.account(alice.peerId()));
        assertEquals(Optional.empty(), c.transaction(t.hash()));
        assertEquals(List.of(side.hash()), reported.stream().map(Block::hash).toList());
        assertEquals(f.spec.totalSupply(), c.totalBalance());
        // The old branch can come back if it grows heavier.
        Block side3 = f.block(c, c.head(), f.inTurn(3), List.of());
        assertEquals(Chain.Outcome.HEAD, c.importBlock(side3));
    }

    @Test
    void reopensAtTheSameHeadFromDiskAndRefusesAForeignChain(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ds.mv");
        Hash head;
        PeerId proposer;
        try (MvStoreDatastore ds = new MvStoreDatastore(file)) {
            Chain c = f.chain(ds);
            for (int i = 0; i < 5; i++) {
                c.importBlock(next(c, List.of(f.transfer(alice, i, 2, bob.peerId(), 10))));
            }
            head = c.headHash();
            proposer = c.head().proposer().orElseThrow();
        }
        try (MvStoreDatastore ds = new MvStoreDatastore(file)) {
            Chain c = f.chain(ds);
            assertEquals(head, c.headHash());
            assertEquals(5, c.head().height());
            assertEquals(new Account(1_000_000 - 60, 5), c.account(alice.peerId()));
            assertTrue(c.account(proposer).balance() > 0);
            Fixture other = new Fixture(1, 1);
            Exception e = assertThrows(Exception.class, () -> other.chain(ds));
            assertTrue(e.getMessage().contains("another genesis"), e.getMessage());
            assertFalse(c.known(Hash.ZERO));
        }
    }
}
