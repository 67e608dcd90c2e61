package org.hyphae.ledger.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.Hash;

/**
 * Blocks that arrived before their parent (a miner's blocks racing through gossip, a peer ahead
 * of us), kept until the parent is imported so they need not be downloaded again. Nothing in here
 * is verified beyond its body: a block leaves the pool only to be fully imported. Bounded overall
 * and per peer (so one peer cannot push out everyone's orphans), oldest first out, and each entry
 * expires.
 */
final class OrphanPool {

    /**
     * A waiting block.
     *
     * @param block the block
     * @param from the peer that sent it, penalized if it turns out invalid
     * @param addedAt when it came, by the pool's clock
     */
    record Orphan(Block block, PeerId from, long addedAt) {
    }

    private final int max;
    private final int maxPerPeer;
    private final long ttlMillis;
    private final LongSupplier clock;
    private final LinkedHashMap<Hash, Orphan> byHash = new LinkedHashMap<>();
    private final Map<Hash, Set<Hash>> byParent = new HashMap<>();
    private final Map<PeerId, Integer> perPeer = new HashMap<>();

    OrphanPool(int max, int maxPerPeer, long ttlMillis, LongSupplier clock) {
        this.max = max;
        this.maxPerPeer = maxPerPeer;
        this.ttlMillis = ttlMillis;
        this.clock = clock;
    }

    /**
     * Keeps a block until its parent arrives.
     *
     * @return false if it was already here or its peer has its share of the pool
     */
    synchronized boolean add(Block block, PeerId from) {
        expire();
        Hash h = block.hash();
        if (byHash.containsKey(h) || perPeer.getOrDefault(from, 0) >= maxPerPeer) {
            return false;
        }
        while (byHash.size() >= max) {
            remove(byHash.keySet().iterator().next());
        }
        byHash.put(h, new Orphan(block, from, clock.getAsLong()));
        byParent.computeIfAbsent(block.header().parent(), k -> new LinkedHashSet<>()).add(h);
        perPeer.merge(from, 1, Integer::sum);
        return true;
    }

    /** Whether blocks wait for this parent. */
    synchronized boolean hasChildren(Hash parent) {
        return byParent.containsKey(parent);
    }

    /** Removes and returns the blocks that wait for this parent (the expired ones are dropped). */
    synchronized List<Orphan> takeChildren(Hash parent) {
        expire();
        Set<Hash> children = byParent.get(parent);
        if (children == null) {
            return List.of();
        }
        List<Orphan> out = new ArrayList<>();
        for (Hash c : new ArrayList<>(children)) {
            out.add(byHash.get(c));
            remove(c);
        }
        return out;
    }

    synchronized int size() {
        expire();
        return byHash.size();
    }

    synchronized boolean contains(Hash block) {
        return byHash.containsKey(block);
    }

    private void expire() {
        long cutoff = clock.getAsLong() - ttlMillis;
        Iterator<Orphan> it = byHash.values().iterator();
        List<Hash> old = new ArrayList<>();
        while (it.hasNext()) {
            Orphan o = it.next();
            if (o.addedAt() > cutoff) {
                break; // insertion order is age order
            }
            old.add(o.block().hash());
        }
        old.forEach(this::remove);
    }

    private void remove(Hash h) {
        Orphan o = byHash.remove(h);
        if (o == null) {
            return;
        }
        Hash parent = o.block().header().parent();
        Set<Hash> siblings = byParent.get(parent);
        if (siblings != null) {
            siblings.remove(h);
            if (siblings.isEmpty()) {
                byParent.remove(parent);
            }
        }
        perPeer.computeIfPresent(o.from(), (k, n) -> n <= 1 ? null : n - 1);
    }
}
