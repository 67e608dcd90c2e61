package org.hyphae.ledger.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Account;
import org.hyphae.ledger.Hash;

/**
 * The account state at the head, in memory, with each account's leaf hash and the inner nodes of
 * the {@link MerkleTree} over them cached: a state root after changes to existing accounts costs
 * the hashes on their paths to the root (k log n), not a new tree; a change that adds or removes
 * an account shifts the leaves, so that root is computed over all of them and the cached tree is
 * rebuilt once, when next needed. Accounts equal to {@link Account#EMPTY} are not in the tree (so
 * "never used" and "emptied" agree). The chain guards it with its lock; the tree cache is
 * guarded by this object, since several readers may ask for roots at once. Lookups go through a
 * hash map: the sorted map's comparisons copy both peer ids' bytes, several times per lookup.
 */
final class WorldState {

    private final Map<PeerId, Account> accounts = new java.util.HashMap<>();
    private final TreeMap<PeerId, Hash> leaves = new TreeMap<>(AccountOrder.ORDER);
    /** The tree's levels, leaves first, or null after a change of shape; guarded by this. */
    private byte[][][] levels;
    /** Each account's leaf position in {@link #levels}; guarded by this. */
    private Map<PeerId, Integer> positions;
    /** Bumped by every change of the accounts; guarded by this. */
    private long version;

    /**
     * A root computed over changes, with the leaf and inner hashes it made ({@code levels} null when
     * the changes reshape the tree): folding the same changes into the same version of this state
     * takes those hashes instead of computing them again.
     */
    record Prepared(long version, Map<PeerId, Hash> leaves, List<Map<Integer, byte[]>> levels, Hash root) {
    }

    Account get(PeerId id) {
        return accounts.getOrDefault(id, Account.EMPTY);
    }

    synchronized void put(PeerId id, Account a) {
        putAll(Map.of(id, a));
    }

    /**
     * Applies several accounts at once: the changed leaves' paths are hashed together, so the
     * levels they share are hashed once (a block's accounts share most of the upper levels).
     */
    synchronized void putAll(Map<PeerId, Account> changes) {
        version++;
        Map<Integer, byte[]> dirty = new java.util.HashMap<>();
        boolean reshaped = false;
        for (Map.Entry<PeerId, Account> c : changes.entrySet()) {
            PeerId id = c.getKey();
            Account a = c.getValue();
            if (a.equals(Account.EMPTY)) {
                accounts.remove(id);
                if (leaves.remove(id) != null) {
                    reshaped = true;
                }
            } else {
                accounts.put(id, a);
                Hash leaf = MerkleTree.accountLeaf(id, a);
                Integer at = levels == null ? null : positions.get(id);
                leaves.put(id, leaf);
                if (at == null) {
                    reshaped = true;
                } else {
                    dirty.put(at, leaf.bytes());
                }
            }
        }
        if (reshaped) {
            levels = null;
        } else if (levels != null && !dirty.isEmpty()) {
            updatePath(dirty, true, new ArrayList<>());
        }
    }

    int size() {
        return accounts.size();
    }

    long totalBalance() {
        long sum = 0;
        for (Account a : accounts.values()) {
            sum = Math.addExact(sum, a.balance());
        }
        return sum;
    }

    /** The accounts in tree order. */
    Map<PeerId, Account> accounts() {
        TreeMap<PeerId, Account> sorted = new TreeMap<>(AccountOrder.ORDER);
        sorted.putAll(accounts);
        return java.util.Collections.unmodifiableMap(sorted);
    }

    /**
     * Applies {@code changes} as {@link #putAll(Map)} does, with the hashes {@code prepared} made for
     * them if it was prepared on this very version of the state (else it hashes them itself).
     */
    synchronized void putAll(Map<PeerId, Account> changes, Prepared prepared) {
        if (prepared == null || prepared.levels() == null || prepared.version() != version || levels == null) {
            putAll(changes);
            return;
        }
        version++;
        for (Map.Entry<PeerId, Account> c : changes.entrySet()) {
            if (c.getValue().equals(Account.EMPTY)) {
                // Prepared only if it was absent and stays absent: nothing to hash.
                accounts.remove(c.getKey());
                continue;
            }
            accounts.put(c.getKey(), c.getValue());
            leaves.put(c.getKey(), prepared.leaves().get(c.getKey()));
        }
        for (int l = 0; l < prepared.levels().size(); l++) {
            byte[][] level = levels[l];
            prepared.levels().get(l).forEach((i, h) -> level[i] = h);
        }
    }

    /** The root of this state with {@code changes} applied over it. */
    Hash root(Map<PeerId, Account> changes) {
        return prepare(changes).root();
    }

    /** The root of this state with {@code changes} applied over it, and the hashes made for it. */
    synchronized Prepared prepare(Map<PeerId, Account> changes) {
        if (leaves.isEmpty()) {
            return new Prepared(version, null, null, fullRoot(changes));
        }
        if (levels == null) {
            buildTree();
        }
        Map<Integer, byte[]> dirty = new java.util.HashMap<>();
        Map<PeerId, Hash> leafHashes = new java.util.HashMap<>();
        for (Map.Entry<PeerId, Account> c : changes.entrySet()) {
            Integer at = positions.get(c.getKey());
            boolean empty = c.getValue().equals(Account.EMPTY);
            if (at == null && empty) {
                continue;
            }
            if (at == null || empty) {
                return new Prepared(version, null, null, fullRoot(changes));
            }
            Hash leaf = MerkleTree.accountLeaf(c.getKey(), c.getValue());
            leafHashes.put(c.getKey(), leaf);
            dirty.put(at, leaf.bytes());
        }
        List<Map<Integer, byte[]>> made = new ArrayList<>();
        Hash root = updatePath(dirty, false, made);
        return new Prepared(version, leafHashes, made, root);
    }

    private void buildTree() {
        List<byte[]> level = new ArrayList<>(leaves.size());
        positions = new java.util.HashMap<>(leaves.size() * 2);
        for (Map.Entry<PeerId, Hash> e : leaves.entrySet()) {
            positions.put(e.getKey(), level.size());
            level.add(e.getValue().bytes());
        }
        List<byte[][]> all = new ArrayList<>();
        all.add(level.toArray(new byte[0][]));
        while (all.get(all.size() - 1).length > 1) {
            byte[][] below = all.get(all.size() - 1);
            byte[][] up = new byte[(below.length + 1) / 2][];
            for (int i = 0; i < up.length; i++) {
                up[i] = parent(below, i, Map.of());
            }
            all.add(up);
        }
        levels = all.toArray(new byte[0][][]);
    }

    /** Node {@code i} of the level above {@code below} (an odd last node moves up unchanged). */
    private static byte[] parent(byte[][] below, int i, Map<Integer, byte[]> overlay) {
        int left = 2 * i;
        byte[] l = overlay.getOrDefault(left, below[left]);
        if (left + 1 == below.length) {
            return l;
        }
        return MerkleTree.inner(l, overlay.getOrDefault(left + 1, below[left + 1]));
    }

    /**
     * The root with the leaves at the {@code dirty} positions replaced; {@code write} keeps them in
     * the cache. {@code made} gets each level's new nodes, leaves first.
     */
    private Hash updatePath(Map<Integer, byte[]> dirty, boolean write, List<Map<Integer, byte[]>> made) {
        Map<Integer, byte[]> changed = dirty;
        for (int l = 0; l < levels.length - 1; l++) {
            byte[][] below = levels[l];
            Map<Integer, byte[]> current = changed;
            Map<Integer, byte[]> up = new java.util.HashMap<>();
            for (Integer i : current.keySet()) {
                up.computeIfAbsent(i / 2, p -> parent(below, p, current));
            }
            if (write) {
                changed.forEach((i, h) -> below[i] = h);
            }
            made.add(changed);
            changed = up;
        }
        byte[][] top = levels[levels.length - 1];
        if (write) {
            changed.forEach((i, h) -> top[i] = h);
        }
        made.add(changed);
        return Hash.of(changed.getOrDefault(0, top[0]));
    }

    /** The root over every leaf merged with {@code changes}. */
    private Hash fullRoot(Map<PeerId, Account> changes) {
        List<Hash> out = new ArrayList<>(leaves.size() + changes.size());
        TreeMap<PeerId, Account> sorted = new TreeMap<>(AccountOrder.ORDER);
        sorted.putAll(changes);
        Iterator<Map.Entry<PeerId, Hash>> base = leaves.entrySet().iterator();
        Iterator<Map.Entry<PeerId, Account>> over = sorted.entrySet().iterator();
        Map.Entry<PeerId, Hash> b = base.hasNext() ? base.next() : null;
        Map.Entry<PeerId, Account> o = over.hasNext() ? over.next() : null;
        while (b != null || o != null) {
            int c = b == null ? 1 : o == null ? -1 : AccountOrder.ORDER.compare(b.getKey(), o.getKey());
            if (c < 0) {
                out.add(b.getValue());
                b = base.hasNext() ? base.next() : null;
            } else {
                if (!o.getValue().equals(Account.EMPTY)) {
                    out.add(MerkleTree.accountLeaf(o.getKey(), o.getValue()));
                }
                if (c == 0) {
                    b = base.hasNext() ? base.next() : null;
                }
                o = over.hasNext() ? over.next() : null;
            }
        }
        return MerkleTree.root(out);
    }
}
