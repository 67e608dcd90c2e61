package org.hyphae.consensus.bft.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.hyphae.ledger.Hash;

/** The votes of one type in one round: the first vote of each validator, and the power per block id. */
final class RoundVotes {

    private final Map<Integer, BftMessage.Vote> byValidator = new TreeMap<>();
    private final Map<Hash, Long> power = new HashMap<>();
    private long total;

    /**
     * Counts a vote.
     *
     * @return the validator's earlier vote for another block (double signing), or null
     */
    BftMessage.Vote add(int index, long validatorPower, BftMessage.Vote vote) {
        BftMessage.Vote prior = byValidator.get(index);
        if (prior != null) {
            return prior.blockId().equals(vote.blockId()) ? null : prior;
        }
        byValidator.put(index, vote);
        power.merge(vote.blockId(), validatorPower, Long::sum);
        total += validatorPower;
        return null;
    }

    long powerFor(Hash id) {
        return power.getOrDefault(id, 0L);
    }

    /** Power of every vote counted, for any block or nil. */
    long total() {
        return total;
    }

    /** The non-nil block id with a quorum, or null. */
    Hash quorumBlock(ValidatorSet set) {
        for (Map.Entry<Hash, Long> e : power.entrySet()) {
            if (!e.getKey().equals(Hash.ZERO) && set.isQuorum(e.getValue())) {
                return e.getKey();
            }
        }
        return null;
    }

    boolean has(int index) {
        return byValidator.containsKey(index);
    }

    /** The signatures of the votes for a block, by ascending validator index. */
    List<BftSeal.Commit> commitsFor(Hash id) {
        List<BftSeal.Commit> out = new ArrayList<>();
        byValidator.forEach((i, v) -> {
            if (v.blockId().equals(id)) {
                out.add(new BftSeal.Commit(i, v.signature()));
            }
        });
        return out;
    }

    java.util.Set<Integer> validators() {
        return byValidator.keySet();
    }
}
