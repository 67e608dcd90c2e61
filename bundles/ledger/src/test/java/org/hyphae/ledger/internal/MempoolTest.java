package org.hyphae.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.hyphae.ledger.InvalidTransactionException;
import org.hyphae.ledger.Transaction;
import org.hyphae.storage.memory.MemoryDatastore;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MempoolTest {

    private final Fixture f = new Fixture(1, 4);
    private final TestIdentity alice = f.users.get(0);
    private final TestIdentity bob = f.users.get(1);
    private final TestIdentity carol = f.users.get(2);
    private Chain chain;
    private Mempool pool;

    @BeforeEach
    void setUp() throws Exception {
        chain = f.chain(new MemoryDatastore());
        pool = new Mempool(chain.executor(), chain.signatures(), chain::account, new Mempool.Limits(5, 3, 1, 10));
    }

    private String refused(Transaction t) {
        return assertThrows(InvalidTransactionException.class, () -> pool.add(t)).getMessage();
    }

    @Test
    void validatesSignatureChainNonceFeeAndBalance() throws Exception {
        Transaction ok = f.transfer(alice, 0, 1, bob.peerId(), 10);
        assertTrue(pool.add(ok));
        assertFalse(pool.add(ok), "a duplicate is not added twice");
        assertTrue(refused(ok.withSignature(bob.sign(ok.signingBytes()))).contains("bad signature"));
        Transaction other = Transaction.transfer("elsewhere", alice.peerId(), 1, 1, bob.peerId(), 1);
        assertTrue(refused(other.withSignature(alice.sign(other.signingBytes()))).contains("is for chain"));
        assertTrue(refused(f.transfer(alice, 1, 0, bob.peerId(), 10)).contains("below the minimum"));
        assertTrue(refused(f.transfer(alice, 7, 1, bob.peerId(), 10)).contains("too far ahead"));
        // Double spend inside the pool: the second needs more than what is left after the first.
        assertTrue(pool.add(f.transfer(alice, 1, 1, bob.peerId(), 600_000)));
        assertTrue(refused(f.transfer(alice, 2, 1, bob.peerId(), 600_000)).contains("does not cover"));
        // Replayed after inclusion.
        chain.importBlock(f.block(chain, chain.head(), f.signers.get(0), pool.select(10, chain::account)));
        pool.onHead(List.of(), List.of(chain.block(1).orElseThrow()));
        assertEquals(0, pool.size());
        assertTrue(refused(ok).contains("was used already"));
        assertEquals(2, pool.nextNonce(alice.peerId(), chain.account(alice.peerId()).nonce()));
    }

    @Test
    void ordersBySenderNonceThenFeeAndReplacesOnlyForAHigherFee() throws Exception {
        pool.add(f.transfer(alice, 1, 50, bob.peerId(), 1));
        pool.add(f.transfer(alice, 0, 2, bob.peerId(), 1));
        pool.add(f.transfer(bob, 0, 10, alice.peerId(), 1));
        List<Transaction> order = pool.select(10, chain::account);
        // Bob's 10 beats Alice's first (2); Alice's nonce 1 can only follow her nonce 0.
        assertEquals(List.of(bob.peerId(), alice.peerId(), alice.peerId()), order.stream().map(Transaction::from).toList());
        assertEquals(List.of(0L, 0L, 1L), order.stream().map(Transaction::nonce).toList());
        assertTrue(refused(f.transfer(alice, 0, 2, carol.peerId(), 1)).contains("replacement needs"));
        assertTrue(pool.add(f.transfer(alice, 0, 3, carol.peerId(), 1)));
        assertEquals(3, pool.size());
        assertEquals(carol.peerId(), ((Transaction.Transfer) pool.select(10, chain::account).stream()
                .filter(t -> t.from().equals(alice.peerId()) && t.nonce() == 0).findFirst().orElseThrow().payload()).to());
        // A gap: Bob's nonce 2 without 1 waits and is not selected.
        pool.add(f.transfer(bob, 2, 5, alice.peerId(), 1));
        assertEquals(3, pool.select(10, chain::account).size());
    }

    @Test
    void evictsTheCheapestWhenFull() throws Exception {
        pool.add(f.transfer(alice, 0, 1, bob.peerId(), 1));
        pool.add(f.transfer(alice, 1, 1, bob.peerId(), 1));
        pool.add(f.transfer(bob, 0, 5, alice.peerId(), 1));
        pool.add(f.transfer(bob, 1, 5, alice.peerId(), 1));
        pool.add(f.transfer(carol, 0, 4, alice.peerId(), 1));
        assertEquals(5, pool.size());
        assertTrue(refused(f.transfer(carol, 1, 1, alice.peerId(), 1)).contains("full"));
        assertTrue(pool.add(f.transfer(f.users.get(3), 0, 9, alice.peerId(), 1)));
        assertEquals(5, pool.size());
        // Alice's last (nonce 1, fee 1) went; her nonce 0 stays, so her queue has no gap.
        assertEquals(1, pool.pending(10).stream().filter(t -> t.from().equals(alice.peerId())).count());
    }
}
