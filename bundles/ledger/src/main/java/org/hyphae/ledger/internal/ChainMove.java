package org.hyphae.ledger.internal;

import java.util.Arrays;
import java.util.Optional;

import org.hyphae.ledger.Hash;
import org.hyphae.storage.Cursor;
import org.hyphae.storage.Datastore;
import org.hyphae.storage.Entry;
import org.hyphae.storage.KeyRange;
import org.hyphae.storage.StorageException;

/**
 * Carries the chain from one {@link Datastore} to another when the node's active store changes,
 * so that a storage swap does not lose it: a store that already holds the same chain at least as
 * far is used as it is; one that holds nothing of it, or less, gets a copy of every
 * {@code /ledger/} key; one that holds another chain is refused. The accounts and the head and
 * genesis keys go last, in one batch, so that a copy cut short reads as no chain (the node then
 * starts from genesis and syncs) rather than as a damaged one.
 */
public final class ChainMove {

    private static final int BATCH = 2000;
    private static final byte[] PREFIX = ChainStore.key("");
    private static final byte[] ACCOUNTS = ChainStore.key("ac", new byte[0]);

    private ChainMove() {
    }

    /**
     * Makes {@code to} hold the chain {@code from} holds.
     *
     * @return how many keys were copied (0 if {@code to} was already as far)
     * @throws StorageException if a store fails, or {@code to} holds another chain (the message says which)
     */
    public static long move(Datastore from, Datastore to) throws StorageException {
        Optional<byte[]> genesis = from.get(ChainStore.GENESIS);
        if (genesis.isEmpty()) {
            return 0;
        }
        Optional<byte[]> theirs = to.get(ChainStore.GENESIS);
        if (theirs.isPresent()) {
            if (!Arrays.equals(theirs.get(), genesis.get())) {
                throw new StorageException("the new store holds another chain (genesis " + Hash.of(theirs.get()).shortHex() + ", this one's "
                        + Hash.of(genesis.get()).shortHex() + "); the ledger does not switch to it", null);
            }
            if (weight(to) >= weight(from)) {
                return 0;
            }
        }
        clear(to);
        long copied = 0;
        try (Cursor<Entry> c = from.scan(KeyRange.prefix(PREFIX))) {
            Datastore.Batch b = to.batch();
            int inBatch = 0;
            try {
                while (c.hasNext()) {
                    Entry e = c.next();
                    if (last(e.key())) {
                        continue;
                    }
                    b.put(e.key(), e.value());
                    copied++;
                    if (++inBatch == BATCH) {
                        b.commit();
                        b.close();
                        b = to.batch();
                        inBatch = 0;
                    }
                }
                b.commit();
            } finally {
                b.close();
            }
        }
        try (Cursor<Entry> c = from.scan(KeyRange.prefix(ACCOUNTS)); Datastore.Batch b = to.batch()) {
            while (c.hasNext()) {
                Entry e = c.next();
                b.put(e.key(), e.value());
                copied++;
            }
            b.put(ChainStore.HEAD, from.get(ChainStore.HEAD).orElseThrow(() -> new StorageException("chain store has no head key", null)));
            b.put(ChainStore.GENESIS, genesis.get());
            b.commit();
        }
        return copied + 2;
    }

    private static boolean last(byte[] key) {
        return Arrays.equals(key, ChainStore.HEAD) || Arrays.equals(key, ChainStore.GENESIS)
                || (key.length >= ACCOUNTS.length && Arrays.equals(key, 0, ACCOUNTS.length, ACCOUNTS, 0, ACCOUNTS.length));
    }

    private static long weight(Datastore ds) throws StorageException {
        Optional<byte[]> head = ds.get(ChainStore.HEAD);
        if (head.isEmpty()) {
            return -1;
        }
        return new ChainStore(ds).info(Hash.of(head.get())).map(ChainStore.Info::weight).orElse(-1L);
    }

    /** Removes every ledger key, head, genesis and accounts first, so that a removal cut short reads as no chain. */
    private static void clear(Datastore ds) throws StorageException {
        try (Cursor<Entry> c = ds.scan(KeyRange.prefix(ACCOUNTS)); Datastore.Batch b = ds.batch()) {
            b.delete(ChainStore.GENESIS);
            b.delete(ChainStore.HEAD);
            while (c.hasNext()) {
                b.delete(c.next().key());
            }
            b.commit();
        }
        while (true) {
            int n = 0;
            try (Cursor<Entry> c = ds.scan(KeyRange.prefix(PREFIX)); Datastore.Batch b = ds.batch()) {
                while (c.hasNext() && n < BATCH) {
                    b.delete(c.next().key());
                    n++;
                }
                b.commit();
            }
            if (n < BATCH) {
                return;
            }
        }
    }
}
