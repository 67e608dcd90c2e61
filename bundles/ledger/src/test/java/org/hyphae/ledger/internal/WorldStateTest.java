package org.hyphae.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Account;
import org.hyphae.ledger.Hash;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.Test;

/** The cached, path-updated state root equals a tree built from scratch after any mix of changes. */
class WorldStateTest {

    private static Hash fromScratch(Map<PeerId, Account> state) {
        TreeMap<PeerId, Account> sorted = new TreeMap<>(AccountOrder.ORDER);
        sorted.putAll(state);
        List<Hash> leaves = new ArrayList<>();
        sorted.forEach((id, a) -> {
            if (!a.equals(Account.EMPTY)) {
                leaves.add(MerkleTree.accountLeaf(id, a));
            }
        });
        return MerkleTree.root(leaves);
    }

    @Test
    void incrementalRootsMatchFullTreesThroughUpdatesInsertsAndRemovals() {
        Random random = new Random(42);
        List<PeerId> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ids.add(TestIdentity.fromSeedByte(i + 1).peerId());
        }
        WorldState state = new WorldState();
        Map<PeerId, Account> model = new java.util.HashMap<>();
        assertEquals(MerkleTree.EMPTY, state.root(new TreeMap<>(AccountOrder.ORDER)));
        for (int round = 0; round < 400; round++) {
            // Mostly updates of existing accounts (the path-update case), sometimes new or emptied ones.
            StateDelta delta = new StateDelta(state);
            Map<PeerId, Account> after = new java.util.HashMap<>(model);
            int changes = 1 + random.nextInt(6);
            for (int c = 0; c < changes; c++) {
                PeerId id;
                if (!model.isEmpty() && random.nextInt(10) < 8) {
                    List<PeerId> present = new ArrayList<>(model.keySet());
                    present.sort(AccountOrder.ORDER);
                    id = present.get(random.nextInt(present.size()));
                } else {
                    id = ids.get(random.nextInt(ids.size()));
                }
                Account a = random.nextInt(12) == 0 ? Account.EMPTY : new Account(random.nextInt(1000), random.nextInt(50));
                delta.put(id, a);
                if (a.equals(Account.EMPTY)) {
                    after.remove(id);
                } else {
                    after.put(id, a);
                }
            }
            assertEquals(fromScratch(after), delta.root(), "root over the state plus round " + round + "'s changes");
            assertEquals(fromScratch(model), state.root(new TreeMap<>(AccountOrder.ORDER)), "an unapplied delta leaves the state's root");
            if (random.nextInt(8) == 0) {
                // Another change lands first: the delta's prepared hashes are of an older state and must not be taken.
                PeerId other = ids.get(random.nextInt(ids.size()));
                Account a = new Account(random.nextInt(1000), random.nextInt(50));
                StateDelta first = new StateDelta(state);
                first.put(other, a);
                first.root();
                first.foldInto();
                model.put(other, a);
                after = new java.util.HashMap<>(model);
                for (Map.Entry<PeerId, Account> e : delta.changes().entrySet()) {
                    if (e.getValue().equals(Account.EMPTY)) {
                        after.remove(e.getKey());
                    } else {
                        after.put(e.getKey(), e.getValue());
                    }
                }
                delta.foldInto();
                model = after;
                assertEquals(fromScratch(model), state.root(new TreeMap<>(AccountOrder.ORDER)), "root after a fold over a moved state, round " + round);
            } else if (random.nextBoolean()) {
                delta.foldInto();
                model = after;
                assertEquals(fromScratch(model), state.root(new TreeMap<>(AccountOrder.ORDER)), "root after folding round " + round);
            }
        }
    }
}
