package org.hyphae.consensus.bft.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * One validator's part in the consensus, after the algorithm of Buchman, Kwon and Milosevic, "The
 * latest gossip on BFT consensus" (2018): per height, rounds of propose, prevote and precommit. A
 * validator prevotes a proposal unless it is locked on another block; it locks on a block when it
 * sees prevotes of more than two thirds of the power for it (a polka) and precommits it; it unlocks
 * only for a proposal justified by a polka in a later round than its lock. More than two thirds of
 * precommits decide the block; the round's proposer seals it with their signatures and hands it to
 * the ledger. Timeouts grow by {@code timeout-delta} per round. State lives on the context's single
 * scheduler thread; the vote log is written before any signature leaves.
 */
final class BftSession implements EngineSession {

    private static final System.Logger LOG = System.getLogger(BftSession.class.getName());
    /** Heights ahead of ours whose messages are kept for later; further ones are dropped and counted. */
    static final int FUTURE_HEIGHTS = 2;
    /** Rounds ahead of ours whose messages are kept; further ones are dropped and counted. */
    static final int FUTURE_ROUNDS = 64;
    private static final int MAX_BUFFERED = 1024;

    private static final int STEP_PROPOSE = 0;
    private static final int STEP_PREVOTE = 1;
    private static final int STEP_PRECOMMIT = 2;
    private static final int STEP_COMMIT = 3;
    private static final String[] STEP_NAMES = {"propose", "prevote", "precommit", "commit"};

    private final BftEngine engine;
    private final EngineContext ctx;
    private final VoteLog wal;
    private final EvidenceKeeper evidence;
    private final String chainId;
    private final PeerId self;
    private final RoundTimeouts timeouts;
    private final MessageDrops drops = new MessageDrops();
    private volatile boolean closed;
    private ScheduledFuture<?> tick;

    // Height state: scheduler thread only.
    private long height;
    private BlockHeader parent;
    private ValidatorSet set;
    private int round;
    private int step;
    private int lockedRound = -1;
    private Hash lockedId;
    private int validRound = -1;
    private Block validBlock;
    private boolean decided;
    private Block sealedDecision;
    private final Map<Integer, RoundVotes> prevotes = new HashMap<>();
    private final Map<Integer, RoundVotes> precommits = new HashMap<>();
    private final Map<Integer, RoundProposal> proposals = new HashMap<>();
    private final Map<Hash, Block> blocks = new HashMap<>();
    private final Map<Hash, Boolean> validity = new HashMap<>();
    private final Set<Integer> polkaHandled = new HashSet<>();
    private final Set<Integer> prevoteTimerSet = new HashSet<>();
    private final Set<Integer> precommitTimerSet = new HashSet<>();
    private final List<BftMessage> mine = new ArrayList<>();
    private final FutureMessages future = new FutureMessages(MAX_BUFFERED);
    private long lastProgress = System.currentTimeMillis();
    private final BlockBudget budget = new BlockBudget();
    private long heightStarted;

    // What describe() shows, written on the scheduler thread.
    private volatile String status = "starting";

    BftSession(BftEngine engine, EngineContext ctx, VoteLog wal, EvidenceLog evidence) {
        this.engine = engine;
        this.ctx = ctx;
        this.wal = wal;
        this.evidence = new EvidenceKeeper(ctx, evidence, drops);
        this.chainId = ctx.chainId();
        this.self = ctx.localPeer();
        this.timeouts = RoundTimeouts.of(ctx.segment());
    }

    void start() {
        long t = Math.max(200, timeouts.propose());
        tick = ctx.scheduler().scheduleWithFixedDelay(this::regossip, t, t, TimeUnit.MILLISECONDS);
        ctx.scheduler().execute(() -> enterHeight(ctx.head()));
    }

    // ---- inputs ----

    @Override
    public void onHead(BlockHeader head) {
        ctx.scheduler().execute(() -> {
            // A new height, or (before this segment's first final block) another block at the parent's height.
            if (!closed && (head.height() + 1 > height || (head.height() + 1 == height && !head.hash().equals(parent.hash())))) {
                enterHeight(head);
            }
        });
    }

    @Override
    public void onMessage(PeerId from, byte[] message) {
        BftMessage m;
        try {
            m = BftMessage.decode(message);
        } catch (IllegalArgumentException e) {
            drop(from, "malformed: " + e.getMessage());
            return;
        }
        ctx.scheduler().execute(() -> receive(from, m));
    }

    private void drop(PeerId from, String why) {
        drops.drop(from, why);
    }

    /** How many messages of a sender were dropped (tests, status). */
    long dropped(PeerId from) {
        return drops.count(from);
    }

    private void receive(PeerId from, BftMessage m) {
        if (closed || set == null) {
            return;
        }
        if (m instanceof BftMessage.Offence e) {
            evidence.reported(from, e, set, height);
            return;
        }
        long h = m.height();
        if (h < height) {
            return;
        }
        if (h > height + FUTURE_HEIGHTS) {
            drop(from, "height " + h + " is too far ahead of " + height);
            return;
        }
        if (h > height) {
            if (!future.keep(from, m)) {
                drop(from, "too many messages buffered for later heights");
            }
            return;
        }
        dispatch(from, m);
    }

    private void dispatch(PeerId from, BftMessage m) {
        if (m.round() > round + FUTURE_ROUNDS) {
            drop(from, "round " + m.round() + " is too far ahead of " + round);
            return;
        }
        if (m instanceof BftMessage.Vote v) {
            receiveVote(from, v);
        } else if (m instanceof BftMessage.Proposal p) {
            receiveProposal(from, p);
        } else if (m instanceof BftMessage.Part p) {
            receivePart(from, p);
        } else if (m instanceof BftMessage.Offence e) {
            evidence.reported(from, e, set, height);
        }
    }

    private void receiveVote(PeerId from, BftMessage.Vote v) {
        String problem = MessageCheck.vote(ctx, set, height, v);
        if (problem != null) {
            drop(from, problem);
            return;
        }
        int idx = set.indexOf(v.validator());
        Map<Integer, RoundVotes> byRound = v.type() == BftMessage.PREVOTE ? prevotes : precommits;
        BftMessage.Vote prior = byRound.computeIfAbsent(v.round(), k -> new RoundVotes()).add(idx, set.power(idx), v);
        if (prior != null) {
            evidence.seen(new BftMessage.Evidence(prior, v));
        }
        progress();
    }

    private void receiveProposal(PeerId from, BftMessage.Proposal p) {
        String problem = MessageCheck.proposal(ctx, set, from, p);
        if (problem != null) {
            drop(from, problem);
            return;
        }
        RoundProposal ps = proposals.computeIfAbsent(p.round(), k -> new RoundProposal());
        if (ps.proposal != null) {
            // The first proposal of a round counts; a different second one is evidence against its proposer.
            if (BftMessage.ProposalEvidence.conflict(ps.proposal, p)) {
                evidence.seen(new BftMessage.ProposalEvidence(ps.proposal, p));
            }
            return;
        }
        ps.proposal = p;
        assemble(ps);
        progress();
    }

    private void receivePart(PeerId from, BftMessage.Part part) {
        String problem = MessageCheck.part(set, from, part);
        if (problem != null) {
            drop(from, problem);
            return;
        }
        RoundProposal ps = proposals.computeIfAbsent(part.round(), k -> new RoundProposal());
        if (ps.addPart(part.index(), part.data())) {
            assemble(ps);
            progress();
        }
    }

    /** Puts the block together once the proposal and all its parts are here, and starts checking it. */
    private void assemble(RoundProposal ps) {
        BftMessage.Proposal p = ps.proposal;
        Block b;
        try {
            b = ps.assemble();
        } catch (IllegalArgumentException e) {
            drop(p.proposer(), p + ": " + e.getMessage());
            return;
        }
        if (b != null) {
            blocks.putIfAbsent(p.blockId(), b);
            check(p.blockId(), b);
        }
    }

    /** Checks a proposed block: its header here, its body and roots by the ledger, asynchronously. */
    private void check(Hash id, Block b) {
        if (validity.containsKey(id)) {
            return;
        }
        String why = ProposalCheck.headerProblem(ctx, b, height, parent, set, timeouts.period());
        if (why != null) {
            LOG.log(System.Logger.Level.INFO, "bft: proposed block " + id.shortHex() + " at #" + height + " is invalid: " + why);
            validity.put(id, false);
            return;
        }
        validity.put(id, null);
        long h = height;
        ctx.validate(b).whenComplete((v, e) -> ctx.scheduler().execute(() -> {
            if (closed || height != h) {
                return;
            }
            if (e != null) {
                LOG.log(System.Logger.Level.INFO, "bft: proposed block " + id.shortHex() + " at #" + h + " is invalid: " + e.getMessage());
            }
            validity.put(id, e == null);
            progress();
        }));
    }

    List<BftMessage.Offence> evidence() {
        return evidence.all();
    }

    // ---- the algorithm ----

    private void enterHeight(BlockHeader head) {
        if (closed) {
            return;
        }
        ValidatorSet s;
        try {
            s = engine.validatorsAfter(ctx, head);
        } catch (InvalidBlockException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "bft: no validator set after #" + head.height() + ": " + e.getMessage());
            set = null;
            return;
        }
        height = head.height() + 1;
        parent = head;
        set = s;
        prevotes.clear();
        precommits.clear();
        proposals.clear();
        blocks.clear();
        validity.clear();
        polkaHandled.clear();
        prevoteTimerSet.clear();
        precommitTimerSet.clear();
        mine.clear();
        decided = false;
        heightStarted = System.currentTimeMillis();
        round = 0;
        sealedDecision = null;
        lockedRound = -1;
        lockedId = null;
        validRound = -1;
        validBlock = null;
        lastProgress = System.currentTimeMillis();
        try {
            wal.prune(height);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "bft: " + e.getMessage());
        }
        // After a crash: resume the round and the lock that the log shows.
        int resume = Math.max(0, wal.lastRound(height));
        wal.lastPrecommit(height).ifPresent(lock -> {
            lockedRound = lock.getKey();
            lockedId = lock.getValue();
        });
        List<FutureMessages.Inbound> ready = future.reached(height);
        startRound(resume);
        for (FutureMessages.Inbound in : ready) {
            dispatch(in.from(), in.message());
        }
    }

    private boolean isValidator() {
        return set != null && set.indexOf(self) >= 0;
    }

    private void startRound(int r) {
        if (r > round) {
            RoundProposal failed = proposals.get(round);
            budget.roundFailed(failed != null && failed.block != null ? failed.block.transactions().size() : budget.limit());
        }
        round = r;
        step = STEP_PROPOSE;
        updateStatus();
        long h = height;
        long now = System.currentTimeMillis();
        // Round 0 waits out the block period before anyone proposes.
        long wait = r == 0 ? Math.max(0, parent.time() + timeouts.period() - now) : 0;
        if (isValidator() && set.proposer(r).equals(self)) {
            ctx.scheduler().schedule(() -> propose(h, r), wait, TimeUnit.MILLISECONDS);
        }
        ctx.scheduler().schedule(() -> onTimeoutPropose(h, r), wait + timeouts.propose(r), TimeUnit.MILLISECONDS);
        progress();
    }

    private void propose(long h, int r) {
        if (closed || h != height || r != round || step != STEP_PROPOSE || decided) {
            return;
        }
        Block b;
        int polRound;
        if (validBlock != null) {
            b = validBlock;
            polRound = validRound;
        } else {
            if (!ctx.head().hash().equals(parent.hash())) {
                return; // a new head is on its way to onHead
            }
            try {
                b = ProposalBuilder.fresh(ctx, parent, r, set, timeouts.period(), budget.limit());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "bft: could not assemble a block on #" + parent.height() + ": " + e.getMessage());
                return;
            }
            polRound = -1;
        }
        Hash id = BftSeal.blockId(b.header());
        byte[] encoded = b.encode();
        int n = ProposalBuilder.partCount(encoded);
        if (n > BftMessage.MAX_PARTS) {
            LOG.log(System.Logger.Level.WARNING, "bft: block of " + encoded.length + " bytes is too large to propose");
            return;
        }
        if (!logged(h, r, BftMessage.PROPOSAL, id)) {
            return;
        }
        List<BftMessage> out = ProposalBuilder.messages(ctx, h, r, polRound, id, encoded, n);
        BftMessage.Proposal p = (BftMessage.Proposal) out.get(0);
        for (BftMessage m : out) {
            send(m);
        }
        RoundProposal ps = proposals.computeIfAbsent(r, k -> new RoundProposal());
        if (ps.proposal == null) {
            ps.proposal = p;
            ps.block = b;
            blocks.putIfAbsent(id, b);
            // Our own block was assembled on the head's state: no need to execute it again.
            validity.putIfAbsent(id, true);
        }
        progress();
    }

    private void onTimeoutPropose(long h, int r) {
        if (!closed && h == height && r == round && step == STEP_PROPOSE && !decided) {
            RoundProposal ps = proposals.get(r);
            if (ps != null && ps.block != null && validity.containsKey(ps.proposal.blockId())
                    && validity.get(ps.proposal.blockId()) == null) {
                // The whole proposal is here and the ledger is still checking it (a busy node). As in
                // CometBFT, the propose step ends with the check, not with the timeout: a nil prevote now
                // would fail a round over a block that is probably valid, and under load every round.
                // The check always ends (valid or not), and progress() prevotes then.
                ctx.scheduler().schedule(() -> onTimeoutPropose(h, r), timeouts.propose(r), TimeUnit.MILLISECONDS);
                return;
            }
            prevote(Hash.ZERO);
        }
    }

    private void onTimeoutPrevote(long h, int r) {
        if (!closed && h == height && r == round && step == STEP_PREVOTE && !decided) {
            precommit(Hash.ZERO);
        }
    }

    private void onTimeoutPrecommit(long h, int r) {
        if (!closed && h == height && r == round && !decided) {
            startRound(r + 1);
        }
    }

    private void progress() {
        if (closed || set == null || decided) {
            return;
        }
        // Decide: a block with precommits of more than two thirds in any round.
        for (Map.Entry<Integer, RoundVotes> e : precommits.entrySet()) {
            Hash id = e.getValue().quorumBlock(set);
            if (id == null) {
                continue;
            }
            Block b = blocks.get(id);
            if (b != null && Boolean.TRUE.equals(validity.get(id))) {
                decide(e.getKey(), b);
                return;
            }
        }
        if (!isValidator()) {
            return;
        }
        // Catch up: more than a third of the power is in a later round.
        int skipTo = -1;
        for (int r = round + 1; r <= round + FUTURE_ROUNDS; r++) {
            Set<Integer> who = new HashSet<>();
            if (prevotes.containsKey(r)) {
                who.addAll(prevotes.get(r).validators());
            }
            if (precommits.containsKey(r)) {
                who.addAll(precommits.get(r).validators());
            }
            long p = 0;
            for (int i : who) {
                p += set.power(i);
            }
            if (set.isMoreThanThird(p)) {
                skipTo = r;
            }
        }
        if (skipTo > round) {
            startRound(skipTo);
            return;
        }
        RoundProposal ps = proposals.get(round);
        Block proposed = ps == null ? null : ps.block;
        Hash pid = proposed == null ? null : ps.proposal.blockId();
        Boolean valid = pid == null ? null : validity.get(pid);
        if (step == STEP_PROPOSE && proposed != null && valid != null) {
            int vr = ps.proposal.polRound();
            if (vr == -1) {
                prevote(valid && (lockedRound == -1 || pid.equals(lockedId)) ? pid : Hash.ZERO);
                return;
            }
            RoundVotes pol = prevotes.get(vr);
            if (vr < round && pol != null && set.isQuorum(pol.powerFor(pid))) {
                prevote(valid && (lockedRound <= vr || pid.equals(lockedId)) ? pid : Hash.ZERO);
                return;
            }
        }
        RoundVotes pv = prevotes.get(round);
        if (step >= STEP_PREVOTE && pv != null) {
            if (step == STEP_PREVOTE && set.isQuorum(pv.total()) && prevoteTimerSet.add(round)) {
                long h = height;
                int r = round;
                ctx.scheduler().schedule(() -> onTimeoutPrevote(h, r), timeouts.prevote(r), TimeUnit.MILLISECONDS);
            }
            if (proposed != null && Boolean.TRUE.equals(valid) && set.isQuorum(pv.powerFor(pid)) && polkaHandled.add(round)) {
                validRound = round;
                validBlock = proposed;
                if (step == STEP_PREVOTE) {
                    lockedRound = round;
                    lockedId = pid;
                    precommit(pid);
                    return;
                }
            }
            if (step == STEP_PREVOTE && set.isQuorum(pv.powerFor(Hash.ZERO))) {
                precommit(Hash.ZERO);
                return;
            }
        }
        RoundVotes pc = precommits.get(round);
        if (pc != null && set.isQuorum(pc.total()) && precommitTimerSet.add(round)) {
            long h = height;
            int r = round;
            ctx.scheduler().schedule(() -> onTimeoutPrecommit(h, r), timeouts.precommit(r), TimeUnit.MILLISECONDS);
        }
    }

    private void prevote(Hash id) {
        step = STEP_PREVOTE;
        vote(BftMessage.PREVOTE, id);
        updateStatus();
        progress();
    }

    private void precommit(Hash id) {
        step = STEP_PRECOMMIT;
        vote(BftMessage.PRECOMMIT, id);
        updateStatus();
        progress();
    }

    /** Logs durably, then signs, counts and sends a vote; a conflicting step from before a crash is sent as logged. */
    private void vote(int type, Hash id) {
        if (!isValidator()) {
            return;
        }
        Hash chosen = id;
        if (!logged(height, round, type, id)) {
            chosen = wal.signed(height, round, type).orElseThrow();
        }
        BftMessage.Vote v = signVote(type, chosen);
        int idx = set.indexOf(self);
        Map<Integer, RoundVotes> byRound = type == BftMessage.PREVOTE ? prevotes : precommits;
        byRound.computeIfAbsent(round, k -> new RoundVotes()).add(idx, set.power(idx), v);
        send(v);
        if (engine.equivocates() && type == BftMessage.PREVOTE) {
            // Test fault: a second prevote for a block that does not exist, past the vote log.
            byte[] other = new byte[Hash.LENGTH];
            ThreadLocalRandom.current().nextBytes(other);
            ctx.broadcast(signVote(type, Hash.of(other)).encode());
        }
    }

    private BftMessage.Vote signVote(int type, Hash id) {
        byte[] sig = ctx.sign(BftMessage.Vote.signedBytes(chainId, type, height, round, id));
        return new BftMessage.Vote(type, height, round, id, self, sig);
    }

    /** Records a signature in the vote log; false (and a warning) if another block was signed for the step. */
    private boolean logged(long h, int r, int type, Hash id) {
        boolean ok;
        try {
            ok = wal.record(h, r, type, id);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "bft: not signing " + BftMessage.typeName(type) + " #" + h + "/" + r + ": " + e.getMessage());
            throw e;
        }
        if (!ok) {
            LOG.log(System.Logger.Level.WARNING, "bft: the vote log holds another " + BftMessage.typeName(type) + " for #" + h + "/" + r
                    + " (signed before a restart); not signing " + id.shortHex());
        }
        return ok;
    }

    private void send(BftMessage m) {
        mine.add(m);
        ctx.broadcast(m.encode());
    }

    private void decide(int r, Block b) {
        decided = true;
        // Grow again only while heights are quick: a slow one (the import of the last block, its check)
        // is the next failed round.
        if (r == 0 && System.currentTimeMillis() - Math.max(heightStarted, parent.time() + timeouts.period()) < timeouts.propose()) {
            budget.quickDecision();
        }
        step = STEP_COMMIT;
        lastProgress = System.currentTimeMillis();
        updateStatus();
        long h = height;
        PeerId proposer = b.header().proposer().orElseThrow();
        if (proposer.equals(self)) {
            seal(h, r, b);
            return;
        }
        // The proposer seals; if its block does not come, validators after it in turn seal it themselves.
        int me = set.indexOf(self);
        if (me < 0) {
            return;
        }
        int rank = Math.floorMod(me - set.indexOf(proposer), set.size());
        ctx.scheduler().schedule(() -> {
            if (!closed && height == h) {
                LOG.log(System.Logger.Level.INFO, "bft: no sealed block #" + h + " from its proposer " + proposer + "; sealing it here");
                seal(h, r, b);
            }
        }, timeouts.commitFallback() * Math.max(1, rank), TimeUnit.MILLISECONDS);
    }

    private void seal(long h, int r, Block b) {
        BftSeal proposed = BftSeal.decode(b.header().seal());
        Hash id = BftSeal.blockId(b.header());
        List<BftSeal.Commit> commits = precommits.get(r).commitsFor(id);
        Block sealed = new Block(b.header().withSeal(new BftSeal(r, proposed.changes(), commits).encode()), b.transactions());
        sealedDecision = sealed;
        ctx.propose(sealed).whenComplete((v, e) -> {
            if (e != null) {
                LOG.log(System.Logger.Level.WARNING, "bft: the ledger refused sealed block #" + h + ": " + e.getMessage());
            }
        });
    }

    /** Sends this height's own messages again when nothing moved for a while: peers that joined late or lost them catch up. */
    private void regossip() {
        ctx.scheduler().execute(() -> {
            if (closed || set == null) {
                return;
            }
            long idle = System.currentTimeMillis() - lastProgress;
            if (idle < Math.max(200, timeouts.propose())) {
                return;
            }
            for (BftMessage m : mine) {
                boolean recent = m instanceof BftMessage.Vote ? m.round() >= round - 1
                        : !(m instanceof BftMessage.Offence) && m.round() == round;
                if (recent) {
                    ctx.broadcast(m.encode());
                }
            }
            if (sealedDecision != null) {
                ctx.propose(sealedDecision);
            }
        });
    }

    private void updateStatus() {
        lastProgress = System.currentTimeMillis();
        status = "height " + height + ", round " + round + ", step " + STEP_NAMES[step]
                + (lockedRound >= 0 ? ", locked on " + lockedId.shortHex() + " at round " + lockedRound : ", not locked")
                + (isValidator() ? "" : ", not a validator");
    }

    /** State for {@code hyphae:bft}. */
    String describe() {
        StringBuilder b = new StringBuilder();
        b.append("chain ").append(chainId).append(": ").append(status).append('\n');
        ValidatorSet s = set;
        if (s != null) {
            b.append("validators (").append(s.size()).append(", power ").append(s.totalPower()).append("): ").append(s).append('\n');
        }
        if (budget.limited()) {
            b.append("proposals limited to ").append(budget.limit()).append(" transactions after failed rounds\n");
        }
        b.append("vote log: ").append(wal.size()).append(" signatures; evidence kept: ").append(evidence.all().size()).append('\n');
        drops.describe(b);
        return b.toString();
    }

    /** The current height and round (tests). */
    String status() {
        return status;
    }

    @Override
    public void close() {
        closed = true;
        if (tick != null) {
            tick.cancel(false);
        }
        engine.closed(this);
        wal.close();
        evidence.close();
    }
}
