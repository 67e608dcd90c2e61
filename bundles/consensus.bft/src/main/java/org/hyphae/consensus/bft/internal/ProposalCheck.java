package org.hyphae.consensus.bft.internal;

import java.util.Arrays;
import java.util.List;

import org.hyphae.consensus.EngineContext;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.Hash;

/** What a validator checks in a proposed block's header itself, before the ledger checks its body and roots. */
final class ProposalCheck {

    private ProposalCheck() {
    }

    /**
     * @return why the block cannot be the one at {@code height} on {@code parent}, or null if its header is fine
     */
    static String headerProblem(EngineContext ctx, Block b, long height, BlockHeader parent, ValidatorSet set, long period) {
        BlockHeader hd = b.header();
        if (hd.height() != height || !(hd.parent().equals(parent.hash()) || resealed(ctx, hd.parent(), parent))) {
            return "it does not extend the head #" + parent.height() + " " + parent.hash().shortHex();
        }
        if (hd.proposer().isEmpty() || set.indexOf(hd.proposer().get()) < 0) {
            return "its proposer is not a validator";
        }
        if (hd.time() <= parent.time() || (parent.height() >= BftEngine.firstHeight(ctx.segment()) && hd.time() < parent.time() + period)) {
            return "its time " + hd.time() + " is too close to its parent's " + parent.time();
        }
        if (hd.time() > System.currentTimeMillis() + 2000) {
            return "its time " + hd.time() + " is in the future";
        }
        BftSeal seal = BftSeal.decode(hd.seal());
        List<ValidatorChange> want = ValidatorChange.requested(set, b.transactions());
        if (!want.equals(seal.changes())) {
            return "its seal lists validator changes " + seal.changes() + ", its transactions ask for " + want;
        }
        return null;
    }

    /** Whether the block {@code hash} the proposal builds on is {@code parent} with another seal (the ledger keeps such copies). */
    private static boolean resealed(EngineContext ctx, Hash hash, BlockHeader parent) {
        return ctx.header(hash).map(h -> h.height() == parent.height() && Arrays.equals(h.unsealedBytes(), parent.unsealedBytes()))
                .orElse(false);
    }
}
