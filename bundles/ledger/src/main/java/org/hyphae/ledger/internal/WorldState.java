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
 * The account state at the head, in memory, with each account's leaf hash cached so that a state
 * root costs one merge and one tree over the leaves. Accounts equal to {@link Account#EMPTY} are
 * not in the tree (so "never used" and "emptied" agree). Not thread-safe: the chain guards it.
 */
final class WorldState {

    private final TreeMap<PeerId, Account> accounts = new TreeMap<>(AccountOrder.ORDER);
    private final TreeMap<PeerId, Hash> leaves = new TreeMap<>(AccountOrder.ORDER);

    Account get(PeerId id) {
        return accounts.getOrDefault(id, Account.EMPTY);
    }

    void put(PeerId id, Account a) {
        if (a.equals(Account.EMPTY)) {
            accounts.remove(id);
            leaves.remove(id);
        } else {
            accounts.put(id, a);
            leaves.put(id, MerkleTree.accountLeaf(id, a));
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

    Map<PeerId, Account> accounts() {
        return java.util.Collections.unmodifiableMap(accounts);
    }

    /** The root of this state with {@code changes} applied over it (changes sorted by account). */
    Hash root(TreeMap<PeerId, Account> changes) {
        List<Hash> out = new ArrayList<>(leaves.size() + changes.size());
        Iterator<Map.Entry<PeerId, Hash>> base = leaves.entrySet().iterator();
        Iterator<Map.Entry<PeerId, Account>> over = changes.entrySet().iterator();
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
