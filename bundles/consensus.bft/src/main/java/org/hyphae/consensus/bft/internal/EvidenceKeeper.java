package org.hyphae.consensus.bft.internal;

import java.util.List;

import org.hyphae.consensus.EngineContext;
import org.hyphae.identity.PeerId;

/**
 * A session's dealings with double signing: evidence seen here or reported by peers is checked
 * (both signatures, the offender a validator), kept in the {@link EvidenceLog} and, when new,
 * gossiped on. Scheduler thread only, as the session.
 */
final class EvidenceKeeper {

    private static final System.Logger LOG = System.getLogger(EvidenceKeeper.class.getName());

    private final EngineContext ctx;
    private final EvidenceLog log;
    private final MessageDrops drops;

    EvidenceKeeper(EngineContext ctx, EvidenceLog log, MessageDrops drops) {
        this.ctx = ctx;
        this.log = log;
        this.drops = drops;
    }

    /** Evidence a peer sent; {@code set} is the validator set at {@code height}, the current one. */
    void reported(PeerId from, BftMessage.Offence e, ValidatorSet set, long height) {
        String chainId = ctx.chainId();
        boolean signed;
        if (e instanceof BftMessage.Evidence v) {
            signed = ctx.verifySignature(v.first().validator(), v.first().signedBytes(chainId), v.first().signature())
                    && ctx.verifySignature(v.second().validator(), v.second().signedBytes(chainId), v.second().signature());
        } else {
            BftMessage.ProposalEvidence p = (BftMessage.ProposalEvidence) e;
            signed = ctx.verifySignature(p.first().proposer(), p.first().signedBytes(chainId), p.first().signature())
                    && ctx.verifySignature(p.second().proposer(), p.second().signedBytes(chainId), p.second().signature());
        }
        if (!signed) {
            drops.drop(from, "evidence with a bad signature");
            return;
        }
        if (set.indexOf(e.offender()) < 0 && e.height() >= height) {
            drops.drop(from, "evidence against " + e.offender() + ", not a validator");
            return;
        }
        keep(e, false);
    }

    /** Evidence this node put together from messages whose signatures it checked. */
    void seen(BftMessage.Offence e) {
        keep(e, true);
    }

    private void keep(BftMessage.Offence e, boolean seenHere) {
        try {
            if (log.add(e)) {
                LOG.log(System.Logger.Level.WARNING, "bft: double signing " + (seenHere ? "seen" : "reported") + ": " + e);
                ctx.broadcast(e.canonical().encode());
            }
        } catch (RuntimeException ex) {
            LOG.log(System.Logger.Level.ERROR, "bft: could not keep evidence " + e + ": " + ex.getMessage(), ex);
        }
    }

    List<BftMessage.Offence> all() {
        return log.all();
    }

    void close() {
        log.close();
    }
}
