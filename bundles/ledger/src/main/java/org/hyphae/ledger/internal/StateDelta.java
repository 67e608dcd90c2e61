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
    private final TreeMap<PeerId, Account> changes = new TreeMap<>(AccountOrder.ORDER);

    StateDelta(WorldState base) {
        this.base = base;
    }

    Account get(PeerId id) {
        Account a = changes.get(id);
        return a != null ? a : base.get(id);
    }

    void put(PeerId id, Account a) {
        changes.put(id, a);
    }

    TreeMap<PeerId, Account> changes() {
        return changes;
    }

    Hash root() {
        return base.root(changes);
    }

    void foldInto() {
        changes.forEach(base::put);
    }
}
