package org.hyphae.ledger.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.hyphae.identity.Identity;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.Transaction;

/**
 * Checks transaction signatures through the Identity service (BouncyCastle Ed25519), remembering
 * the ids of transactions already verified (the mempool verifies on arrival, so a block of known
 * transactions costs no second check) and verifying the rest of a block in parallel.
 */
final class SignatureVerifier {

    private final Identity identity;
    private final Map<Hash, Boolean> verified = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Hash, Boolean> eldest) {
            return size() > 200_000;
        }
    });

    private final java.util.concurrent.atomic.LongAdder checked = new java.util.concurrent.atomic.LongAdder();

    SignatureVerifier(Identity identity) {
        this.identity = identity;
    }

    boolean verify(Transaction tx, Hash id) {
        if (verified.containsKey(id)) {
            return true;
        }
        boolean ok = verifyNow(tx);
        if (ok) {
            verified.put(id, Boolean.TRUE);
        }
        return ok;
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
        Function<Integer, Boolean> check = i -> verify(txs.get(i), ids.get(i));
        if (txs.size() < 16) {
            for (int i = 0; i < txs.size(); i++) {
                if (!check.apply(i)) {
                    return i;
                }
            }
            return -1;
        }
        // A parallel stream run by the caller: the caller verifies too, beside the common pool's workers. Handing the
        // whole job to the pool and waiting (as before) left the caller idle, and on 2 cores the common pool has one
        // worker: one core for every batch and block of every node in the process.
        return java.util.stream.IntStream.range(0, txs.size()).parallel().filter(i -> !check.apply(i)).min().orElse(-1);
    }
}
