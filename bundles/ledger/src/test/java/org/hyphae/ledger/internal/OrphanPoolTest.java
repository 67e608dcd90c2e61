package org.hyphae.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.Hash;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.Test;

class OrphanPoolTest {

    private final PeerId alice = TestIdentity.fromSeedByte(1).peerId();
    private final PeerId bob = TestIdentity.fromSeedByte(2).peerId();
    private long now = 1000;

    private static Block block(Hash parent, long height, int salt) {
        return new Block(new BlockHeader(parent, height, 1000 + salt, MerkleTree.EMPTY, Hash.sha256(new byte[] {(byte) salt}),
                Optional.of(TestIdentity.fromSeedByte(3).peerId()), new byte[] {(byte) salt}), List.of());
    }

    @Test
    void keepsChildrenByParentUntilTaken() {
        OrphanPool pool = new OrphanPool(10, 10, 60_000, () -> now);
        Hash missing = Hash.sha256(new byte[] {42});
        Block a = block(missing, 5, 1);
        Block b = block(missing, 5, 2);
        Block c = block(a.hash(), 6, 3);
        assertTrue(pool.add(a, alice));
        assertFalse(pool.add(a, bob), "the same block twice");
        assertTrue(pool.add(b, bob));
        assertTrue(pool.add(c, alice));
        assertTrue(pool.hasChildren(missing));
        assertEquals(List.of(a, b), pool.takeChildren(missing).stream().map(OrphanPool.Orphan::block).toList());
        assertFalse(pool.hasChildren(missing));
        assertEquals(1, pool.size());
        assertEquals(alice, pool.takeChildren(a.hash()).get(0).from());
        assertEquals(0, pool.size());
    }

    @Test
    void boundedOverallAndPerPeerOldestOut() {
        OrphanPool pool = new OrphanPool(4, 3, 60_000, () -> now);
        Hash p = Hash.sha256(new byte[] {7});
        for (int i = 0; i < 3; i++) {
            assertTrue(pool.add(block(p, 9, i), alice));
        }
        assertFalse(pool.add(block(p, 9, 3), alice), "alice has her share");
        assertTrue(pool.add(block(p, 9, 4), bob));
        assertTrue(pool.add(block(p, 9, 5), bob));
        assertEquals(4, pool.size());
        assertFalse(pool.contains(block(p, 9, 0).hash()), "the oldest went first");
        assertTrue(pool.contains(block(p, 9, 5).hash()));
        assertTrue(pool.add(block(p, 9, 6), alice), "alice's share freed by the eviction");
    }

    @Test
    void entriesExpire() {
        OrphanPool pool = new OrphanPool(10, 10, 5_000, () -> now);
        Hash p = Hash.sha256(new byte[] {8});
        pool.add(block(p, 3, 1), alice);
        now += 3_000;
        pool.add(block(p, 3, 2), alice);
        now += 2_500;
        assertEquals(1, pool.size());
        assertEquals(1, pool.takeChildren(p).size());
        now += 10_000;
        pool.add(block(p, 3, 3), alice);
        now += 6_000;
        assertTrue(pool.takeChildren(p).isEmpty());
        assertFalse(pool.hasChildren(p));
    }
}
