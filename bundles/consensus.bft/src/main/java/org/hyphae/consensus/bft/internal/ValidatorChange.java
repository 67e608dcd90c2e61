package org.hyphae.consensus.bft.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Transaction;

/**
 * A change of one validator's power (0 removes it), asked for by a validator in a data-payload
 * transaction whose bytes are {@value #PREFIX}{@code <peer id>:<power>}. The block that carries
 * such transactions lists the changes in its seal, covered by the validators' votes, and they
 * take effect from the next height, so every node derives the same set from headers alone.
 *
 * @param peer the validator
 * @param power its new power, 0 to remove it
 */
record ValidatorChange(PeerId peer, long power) {

    /** The text a validator-change transaction starts with. */
    static final String PREFIX = "hyphae/bft/validator ";
    /** Highest power one validator may have: keeps the priority arithmetic far from overflow. */
    static final long MAX_POWER = 1L << 40;
    /** Most changes one block may carry. */
    static final int MAX_PER_BLOCK = 16;

    /** The transaction payload that asks for this change. */
    byte[] payload() {
        return (PREFIX + peer + ":" + power).getBytes(StandardCharsets.UTF_8);
    }

    /** The change a transaction asks for, if its payload is a well-formed validator change. */
    static Optional<ValidatorChange> from(Transaction tx) {
        if (!(tx.payload() instanceof Transaction.Anchor a)) {
            return Optional.empty();
        }
        String s = new String(a.data(), StandardCharsets.UTF_8);
        if (!s.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String rest = s.substring(PREFIX.length()).trim();
        int colon = rest.lastIndexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        try {
            PeerId p = PeerId.parse(rest.substring(0, colon));
            long power = Long.parseLong(rest.substring(colon + 1));
            if (power < 0 || power > MAX_POWER) {
                return Optional.empty();
            }
            return Optional.of(new ValidatorChange(p, power));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The changes a block's transactions ask for under a validator set: well-formed, sent by one of
     * its validators, at most {@link #MAX_PER_BLOCK}, and only those that take effect.
     */
    static List<ValidatorChange> requested(ValidatorSet set, List<Transaction> txs) {
        List<ValidatorChange> out = new ArrayList<>();
        for (Transaction t : txs) {
            if (out.size() == MAX_PER_BLOCK) {
                break;
            }
            if (set.indexOf(t.from()) < 0) {
                continue;
            }
            from(t).ifPresent(out::add);
        }
        return set.applicable(out);
    }
}
