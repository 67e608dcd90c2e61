package org.hyphae.ledger.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.hyphae.identity.Identity;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.Transaction;

/**
 * Checks transaction signatures through the Identity service (its Ed25519 verifier), remembering
 * the ids of transactions already verified (the mempool verifies on arrival, so a block of known
 * transactions costs no second check) and verifying the rest of a block in parallel.
 */
final class SignatureVerifier {

    /** Ids remembered: at most twice this many (two generations). */
    static final int GENERATION = 100_000;

    private final Identity identity;
    // Two generations instead of one synchronized LRU map: every verifying thread of the node reads this, and the lock
    // was a hot spot. The older generation is dropped whole when the newer fills up.
    private volatile Map<Hash, Boolean> current = new ConcurrentHashMap<>();
    private volatile Map<Hash, Boolean> previous = Map.of();

    private final java.util.concurrent.atomic.LongAdder checked = new java.util.concurrent.atomic.LongAdder();

    SignatureVerifier(Identity identity) {
        this.identity = identity;
    }

    boolean verify(Transaction tx, Hash id) {
        if (current.containsKey(id) || previous.containsKey(id)) {
            return true;
        }
        boolean ok = verifyNow(tx);
        if (ok) {
            remember(id);
        }
        return ok;
    }

    private void remember(Hash id) {
        Map<Hash, Boolean> c = current;
        c.put(id, Boolean.TRUE);
        if (c.size() >= GENERATION) {
            synchronized (this) {
                if (current == c) {
                    previous = c;
                    current = new ConcurrentHashMap<>();
                }
            }
        }
    }

    boolean verify(Transaction tx) {
        return verify(tx, tx.hash());
    }

    boolean verifyPeerSignature(org.hyphae.identity.PeerId signer, byte[] data, byte[] sig) {
        return signer.publicKeyProtobuf().map(k -> {
            try {
                return identity.verify(k, data, sig);
            } catch (IllegalArgumentException e) {
                return false;
            }
        }).orElse(false);
    }

    /** Transaction signatures checked so far (not the ones answered from memory): benchmarks show one per transaction. */
    long transactionsChecked() {
        return checked.sum();
    }

    private boolean verifyNow(Transaction tx) {
        checked.increment();
        byte[] sig = tx.signature();
        if (sig.length != Transaction.SIGNATURE_LENGTH) {
            return false;
        }
        return verifyPeerSignature(tx.from(), tx.signingBytes(), sig);
    }

    /** Verifies every transaction not verified before, in parallel; returns the index of the first bad one or -1. */
    int verifyAll(List<Transaction> txs, List<Hash> ids) {
        // The ones remembered are skipped first, on this thread: a block's transactions usually all are (the pool
        // checked them), and splitting a parallel stream over lookups cost more than the lookups.
        int[] unknown = new int[txs.size()];
        int n = 0;
        for (int i = 0; i < txs.size(); i++) {
            if (!current.containsKey(ids.get(i)) && !previous.containsKey(ids.get(i))) {
                unknown[n++] = i;
            }
        }
        if (n == 0) {
            return -1;
        }
        Function<Integer, Boolean> check = i -> verify(txs.get(i), ids.get(i));
        if (n < 16) {
            for (int k = 0; k < n; k++) {
                if (!check.apply(unknown[k])) {
                    return unknown[k];
                }
            }
            return -1;
        }
        int[] todo = java.util.Arrays.copyOf(unknown, n);
        // A parallel stream run by the caller: the caller verifies too, beside the common pool's workers. Handing the
        // whole job to the pool and waiting (as before) left the caller idle, and on 2 cores the common pool has one
        // worker: one core for every batch and block of every node in the process.
        return java.util.Arrays.stream(todo).parallel().filter(i -> !check.apply(i)).min().orElse(-1);
    }
}
