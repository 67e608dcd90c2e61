package org.hyphae.consensus.bft.internal;

import org.hyphae.ledger.ChainSpec;

/**
 * A segment's timing: the block period, the step timeouts of round 0, how much they grow each round
 * and their cap, and how long a validator waits for the proposer's sealed block before sealing it
 * itself.
 */
record RoundTimeouts(long period, long propose, long prevote, long precommit, long delta, long max, long commitFallback) {

    static RoundTimeouts of(ChainSpec.ScheduleEntry seg) {
        return new RoundTimeouts(BftEngine.param(seg, "period", 1000), BftEngine.param(seg, "timeout-propose", 1000),
                BftEngine.param(seg, "timeout-prevote", 500), BftEngine.param(seg, "timeout-precommit", 500),
                BftEngine.param(seg, "timeout-delta", 500), BftEngine.param(seg, "timeout-max", 10_000),
                BftEngine.param(seg, "commit-fallback", 2000));
    }

    private long grown(long base, int round) {
        return Math.min(max, base + (long) round * delta);
    }

    long propose(int round) {
        return grown(propose, round);
    }

    long prevote(int round) {
        return grown(prevote, round);
    }

    long precommit(int round) {
        return grown(precommit, round);
    }
}
