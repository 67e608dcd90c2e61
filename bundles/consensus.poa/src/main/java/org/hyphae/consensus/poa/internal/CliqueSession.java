package org.hyphae.consensus.poa.internal;

import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.hyphae.consensus.EngineContext;
import org.hyphae.consensus.EngineSession;
import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.InvalidBlockException;

/**
 * Seals blocks on this node when it is a signer: in turn at {@code parent.time + period}, out of
 * turn after an extra random wait of {@code wiggle} to {@code (n/2 + 1) * wiggle} ms, so the
 * in-turn signer usually wins and a dead signer's turn is still filled.
 */
final class CliqueSession implements EngineSession {

    private static final System.Logger LOG = System.getLogger(CliqueSession.class.getName());

    private final CliqueEngine engine;
    private final EngineContext context;
    private final ScheduledFuture<?> tick;
    private ScheduledFuture<?> pending;
    private Hash scheduledFor;
    private long plannedAt;
    private volatile boolean closed;

    CliqueSession(CliqueEngine engine, EngineContext context) {
        this.engine = engine;
        this.context = context;
        long period = Math.max(10, CliqueEngine.period(context.segment()));
        // A safety net: re-plan if no head arrived (our block lost a race and stayed a side block).
        this.tick = context.scheduler().scheduleWithFixedDelay(this::retry, period, period, TimeUnit.MILLISECONDS);
        context.scheduler().execute(() -> plan(context.head()));
    }

    @Override
    public void onHead(BlockHeader head) {
        context.scheduler().execute(() -> plan(head));
    }

    private void retry() {
        long period = Math.max(10, CliqueEngine.period(context.segment()));
        if (scheduledFor != null && (pending == null || pending.isDone())
                && System.currentTimeMillis() - plannedAt > 4 * period + 2 * CliqueEngine.wiggle(context.segment())) {
            scheduledFor = null;
        }
        plan(context.head());
    }

    private void plan(BlockHeader head) {
        if (closed) {
            return;
        }
        Hash h = head.hash();
        if (h.equals(scheduledFor) && pending != null && !pending.isDone()) {
            return;
        }
        if (h.equals(scheduledFor)) {
            return;
        }
        if (pending != null) {
            pending.cancel(false);
        }
        scheduledFor = h;
        plannedAt = System.currentTimeMillis();
        Snapshot snap;
        try {
            snap = engine.snapshot(context, head);
        } catch (InvalidBlockException e) {
            LOG.log(System.Logger.Level.WARNING, "poa: no signer snapshot at the head: " + e.getMessage());
            return;
        }
        PeerId self = context.localPeer();
        long height = head.height() + 1;
        if (!snap.isSigner(self) || snap.signedRecently(self, height).isPresent()) {
            return;
        }
        long period = CliqueEngine.period(context.segment());
        long now = System.currentTimeMillis();
        long at = Math.max(now, head.time() + period);
        if (!snap.inTurn(height).equals(self)) {
            long wiggle = CliqueEngine.wiggle(context.segment());
            at += wiggle + ThreadLocalRandom.current().nextLong(Math.max(1, snap.limit() * wiggle));
        }
        long blockTime = Math.max(head.time() + period, head.time() + 1);
        pending = context.scheduler().schedule(() -> seal(head, blockTime), Math.max(0, at - now), TimeUnit.MILLISECONDS);
    }

    private void seal(BlockHeader parent, long earliest) {
        if (closed || !context.head().hash().equals(parent.hash())) {
            return;
        }
        try {
            Snapshot snap = engine.snapshot(context, parent);
            Optional<Seal.Vote> vote = engine.currentVotes().stream().filter(snap::validVote).findFirst();
            long time = Math.max(earliest, System.currentTimeMillis());
            Block unsealed = context.assemble(parent, time);
            BlockHeader h = unsealed.header();
            byte[] sig = context.sign(Seal.signedBytes(h, vote));
            Block sealed = new Block(h.withSeal(new Seal(vote, sig).encode()), unsealed.transactions());
            context.propose(sealed).whenComplete((v, e) -> {
                if (e != null) {
                    LOG.log(System.Logger.Level.WARNING, "poa: block #" + sealed.height() + " was refused: " + e.getMessage());
                }
            });
        } catch (RuntimeException | InvalidBlockException e) {
            if (!context.head().hash().equals(parent.hash())) {
                // A block arrived while this one was being assembled: the new head gets its own plan.
                LOG.log(System.Logger.Level.DEBUG, "poa: not sealing on #" + parent.height() + ", the head moved on");
                return;
            }
            LOG.log(System.Logger.Level.WARNING, "poa: could not seal on #" + parent.height() + ": " + e, e);
        }
    }

    @Override
    public void onMessage(PeerId from, byte[] message) {
        // Proof of authority has no messages of its own: blocks are the only thing it sends.
    }

    @Override
    public void close() {
        closed = true;
        tick.cancel(false);
        context.scheduler().execute(() -> {
            if (pending != null) {
                pending.cancel(false);
            }
        });
    }
}
