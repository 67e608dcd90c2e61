package org.hyphae.consensus.bft.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.hyphae.consensus.EngineContext;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.Hash;

/** How a proposer makes its proposal: a new block from the mempool, then the signed proposal and the block's parts. */
final class ProposalBuilder {

    private ProposalBuilder() {
    }

    /**
     * A new block on {@code parent} with at most {@code maxTransactions}, sealed for round {@code round}
     * with the validator changes its transactions ask for and no commits yet.
     *
     * @throws RuntimeException if the ledger cannot assemble it (the head moved, say)
     */
    static Block fresh(EngineContext ctx, BlockHeader parent, int round, ValidatorSet set, long period, int maxTransactions) {
        long time = Math.max(System.currentTimeMillis(), parent.time() + Math.max(1, period));
        Block unsealed = ctx.assemble(parent, time, maxTransactions);
        List<ValidatorChange> changes = ValidatorChange.requested(set, unsealed.transactions());
        return new Block(unsealed.header().withSeal(new BftSeal(round, changes, List.of()).encode()), unsealed.transactions());
    }

    /** How many parts an encoded block travels in. */
    static int partCount(byte[] encoded) {
        return Math.max(1, (encoded.length + BftMessage.PART_SIZE - 1) / BftMessage.PART_SIZE);
    }

    /** The proposal, signed with the node's key, then the {@code n} parts of the encoded block. */
    static List<BftMessage> messages(EngineContext ctx, long h, int r, int polRound, Hash id, byte[] encoded, int n) {
        Hash partsHash = Hash.sha256(encoded);
        byte[] sig = ctx.sign(BftMessage.Proposal.signedBytes(ctx.chainId(), h, r, polRound, id, partsHash, n));
        List<BftMessage> out = new ArrayList<>(n + 1);
        out.add(new BftMessage.Proposal(h, r, polRound, id, partsHash, n, ctx.localPeer(), sig));
        for (int i = 0; i < n; i++) {
            int from = i * BftMessage.PART_SIZE;
            out.add(new BftMessage.Part(h, r, i, Arrays.copyOfRange(encoded, from, Math.min(encoded.length, from + BftMessage.PART_SIZE))));
        }
        return out;
    }
}
