package org.hyphae.consensus.pow.internal;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.hyphae.consensus.EngineContext;
import org.hyphae.consensus.EngineSession;
import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.InvalidBlockException;

/**
 * Mines on this node: a template (a block assembled on the head from the mempool, with the
 * retarget rule's target) that miner threads search for a nonce. A new head, or the template's
 * age passing {@code templateRefreshMillis}, replaces the template, so every thread drops the old
 * one within one batch of nonces. Threads follow the engine's {@code threads} setting; with 0 the
 * session only listens.
 */
final class PowSession implements EngineSession {

    private static final System.Logger LOG = System.getLogger(PowSession.class.getName());
    /** Nonces a thread tries before it looks for a newer template. */
    private static final int BATCH = 4096;

    /** What the miners work on. */
    private record Template(BlockHeader parent, Block unsealed, byte[] target, byte[] headerDigest, long madeAt) {
    }

    private final PowEngine engine;
    private final EngineContext context;
    private final AtomicReference<Template> template = new AtomicReference<>();
    private final List<Thread> miners = new ArrayList<>();
    private final AtomicLong hashes = new AtomicLong();
    private final ScheduledFuture<?> tick;
    private volatile boolean closed;


    PowSession(PowEngine engine, EngineContext context) {
        this.engine = engine;
        this.context = context;
        long refresh = engine.templateRefreshMillis();
        this.tick = context.scheduler().scheduleWithFixedDelay(this::refresh, refresh, refresh, TimeUnit.MILLISECONDS);
        context.scheduler().execute(() -> renew(context.head()));
    }

    @Override
    public void onHead(BlockHeader head) {
        context.scheduler().execute(() -> renew(head));
    }

    /** Hashes tried so far by this session's threads. */
    long hashes() {
        return hashes.get();
    }

    private void refresh() {
        Template t = template.get();
        if (t == null || System.currentTimeMillis() - t.madeAt() >= engine.templateRefreshMillis()
                || engine.threads() != liveMiners()) {
            renew(context.head());
        }
    }

    private synchronized int liveMiners() {
        miners.removeIf(m -> !m.isAlive());
        return miners.size();
    }

    /** Builds a template on the head and sizes the miner pool (scheduler thread). */
    private void renew(BlockHeader head) {
        if (closed) {
            return;
        }
        int wanted = engine.threads();
        if (wanted == 0) {
            template.set(null);
            resize(0);
            return;
        }
        if (!head.hash().equals(context.head().hash())) {
            return; // an older head: a newer renew is queued
        }
        try {
            BigInteger target = PowEngine.expectedTarget(context, head);
            long time = Math.max(System.currentTimeMillis(), head.time() + 1);
            Block unsealed = context.assemble(head, time);
            byte[] t = Targets.toBytes(target);
            template.set(new Template(head, unsealed, t, PowSeal.headerDigest(unsealed.header(), t), System.currentTimeMillis()));
        } catch (InvalidBlockException | IllegalStateException e) {
            LOG.log(System.Logger.Level.DEBUG, "pow: no template on #" + head.height() + ": " + e.getMessage());
            return;
        }
        resize(wanted);
    }

    private synchronized void resize(int wanted) {
        miners.removeIf(m -> !m.isAlive());
        while (miners.size() < wanted) {
            int index = miners.size();
            Thread m = new Thread(() -> mine(index), "hyphae-pow-miner-" + shortId(context.localPeer()) + "-" + index);
            m.setDaemon(true);
            m.setPriority(Thread.MIN_PRIORITY);
            miners.add(m);
            m.start();
        }
        // Surplus threads see their index at or above the wanted count and end.
    }

    private static String shortId(PeerId p) {
        String s = p.toString();
        return s.substring(Math.max(0, s.length() - 6));
    }

    private void mine(int index) {
        Template current = null;
        long nonce = 0;
        while (!closed && index < engine.threads()) {
            Template t = template.get();
            if (t == null) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
                continue;
            }
            if (t != current) {
                current = t;
                // Threads start far apart so their ranges never meet within one template.
                nonce = ((long) index << 48) ^ (ThreadLocalRandom.current().nextLong() & 0xFFFF_FFFFL) << 8;
            }
            OptionalLong found = PowEngine.search(t.headerDigest(), t.target(), nonce, BATCH);
            hashes.addAndGet(BATCH);
            engine.hashed(BATCH);
            nonce += BATCH;
            if (found.isPresent() && template.compareAndSet(t, null)) {
                long n = found.getAsLong();
                context.scheduler().execute(() -> submit(t, n));
            }
        }
    }

    private void submit(Template t, long nonce) {
        if (closed) {
            return;
        }
        BlockHeader sealed = t.unsealed().header().withSeal(new PowSeal(t.target(), nonce).encode());
        Block block = new Block(sealed, t.unsealed().transactions());
        context.propose(block).whenComplete((v, e) -> {
            if (e != null) {
                LOG.log(System.Logger.Level.WARNING, "pow: mined block #" + block.height() + " was refused: " + e.getMessage());
                context.scheduler().execute(() -> renew(context.head()));
            }
        });
    }

    @Override
    public void onMessage(PeerId from, byte[] message) {
        // Proof of work has no messages of its own: blocks are the only thing it sends.
    }

    @Override
    public void close() {
        closed = true;
        tick.cancel(false);
        template.set(null);
        List<Thread> ms;
        synchronized (this) {
            ms = new ArrayList<>(miners);
            miners.clear();
        }
        for (Thread m : ms) {
            m.interrupt();
        }
    }
}
