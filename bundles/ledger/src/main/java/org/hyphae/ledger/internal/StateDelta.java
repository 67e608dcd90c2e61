package org.hyphae.ledger.internal;

import java.util.TreeMap;

import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Account;
import org.hyphae.ledger.Hash;

/**
 * Changes over the {@link WorldState}, for executing blocks before they are committed: a block that
 * fails leaves the world state untouched; one that passes is written in one batch, then folded in.
 */
final class StateDelta {

    private final WorldState base;
    // Looked up per transaction by hash; sorted (tree order) only for the root and the writes.
    private final java.util.Map<PeerId, Account> changes = new java.util.HashMap<>();

    StateDelta(WorldState base) {
        this.base = base;
    }

    Account get(PeerId id) {
        Account a = changes.get(id);
        return a != null ? a : base.get(id);
    }

    /** The last root's hashes, until the next change (folding takes them instead of hashing again). */
    private WorldState.Prepared prepared;

    void put(PeerId id, Account a) {
        changes.put(id, a);
        prepared = null;
    }

    /** The changed accounts in tree order. */
    TreeMap<PeerId, Account> changes() {
        TreeMap<PeerId, Account> sorted = new TreeMap<>(AccountOrder.ORDER);
        sorted.putAll(changes);
        return sorted;
    }

    Hash root() {
        WorldState.Prepared p = base.prepare(changes);
        prepared = p;
        return p.root();
    }

    void foldInto() {
        base.putAll(changes, prepared);
        prepared = null;
    }
}
