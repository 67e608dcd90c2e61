package org.hyphae.consensus.bft.internal;

import org.hyphae.consensus.EngineContext;
import org.hyphae.identity.PeerId;

/** Whether a vote, proposal or block part at the current height may count: who sent or signed it, and its signature. */
final class MessageCheck {

    private MessageCheck() {
    }

    /** @return why the vote does not count at {@code height}, or null */
    static String vote(EngineContext ctx, ValidatorSet set, long height, BftMessage.Vote v) {
        if (set.indexOf(v.validator()) < 0) {
            return "vote by " + v.validator() + ", not a validator at height " + height;
        }
        if (!ctx.verifySignature(v.validator(), v.signedBytes(ctx.chainId()), v.signature())) {
            return "bad signature on " + v;
        }
        return null;
    }

    /** @return why the proposal (relayed by {@code from}) does not count, or null */
    static String proposal(EngineContext ctx, ValidatorSet set, PeerId from, BftMessage.Proposal p) {
        PeerId expected = set.proposer(p.round());
        if (!p.proposer().equals(expected) || !from.equals(expected)) {
            return p + ": the proposer of round " + p.round() + " is " + expected;
        }
        if (!ctx.verifySignature(p.proposer(), p.signedBytes(ctx.chainId()), p.signature())) {
            return "bad signature on " + p;
        }
        return null;
    }

    /** @return why the part (sent by {@code from}) does not count, or null */
    static String part(ValidatorSet set, PeerId from, BftMessage.Part part) {
        return from.equals(set.proposer(part.round())) ? null : "a block part for round " + part.round() + " not from its proposer";
    }
}
