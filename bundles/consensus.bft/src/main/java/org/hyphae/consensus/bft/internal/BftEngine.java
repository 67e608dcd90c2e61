package org.hyphae.consensus.bft.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.felix.service.command.Descriptor;
import org.hyphae.consensus.ChainView;
import org.hyphae.consensus.ConsensusEngine;
import org.hyphae.consensus.EngineContext;
import org.hyphae.consensus.EngineSession;
import org.hyphae.identity.PeerId;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.InvalidBlockException;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Tendermint-style BFT. Parameters in the chain file's segment: {@code validators}
 * ({@code <peer id>:<power>,...}), {@code period} (least ms between blocks, default 1000),
 * {@code timeout-propose}, {@code timeout-prevote}, {@code timeout-precommit} (ms in round 0,
 * defaults 1000, 500, 500), {@code timeout-delta} (ms more per round, default 500),
 * {@code timeout-max} (cap, default 10000), {@code commit-fallback} (ms a validator that saw the
 * decision waits for the proposer's sealed block before sealing it itself, default 2000).
 *
 * <p>Header rules: the proposer is a validator of the height; the seal's changes are the ones that
 * take effect on the height's set; the commit certificate holds valid precommit signatures, for the
 * block id at the seal's round, of validators with more than two thirds of the power. A block with a
 * valid certificate is final: {@link #finalizedHeight} is the head, and every block weighs 1.
 *
 * <p>The shell commands {@code hyphae:bft} (state of the running session) and
 * {@code hyphae:evidence} (double signing seen) come from this service.
 */
@Component(service = ConsensusEngine.class, configurationPid = BftEngine.PID, property = {ConsensusEngine.NAME_PROPERTY + "=bft",
        "osgi.command.scope=hyphae", "osgi.command.function=bft", "osgi.command.function=evidence"})
@Designate(ocd = BftEngine.Config.class)
public final class BftEngine implements ConsensusEngine {

    /** Configuration PID. */
    public static final String PID = "org.hyphae.consensus.bft";

    /** Where the vote log and evidence live, and a fault setting for tests. */
    @ObjectClassDefinition(name = "Hyphae BFT consensus", description = "The BFT engine's files and a fault setting for tests")
    public @interface Config {
        /** Directory of the vote log and evidence; empty for {@code <hyphae.data>/bft}. */
        @AttributeDefinition(description = "directory of the write-ahead vote log and the evidence; empty for <hyphae.data>/bft")
        String dataDir() default "";

        /** Test only: sign two prevotes per round. */
        @AttributeDefinition(description = "TEST ONLY: this validator equivocates, signing a second prevote for another block in every round")
        boolean faultEquivocate() default false;
    }

    private final Map<Hash, ValidatorSet> sets = Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Hash, ValidatorSet> eldest) {
            return size() > 8192;
        }
    });
    private final List<BftSession> sessions = new CopyOnWriteArrayList<>();
    private volatile Path root = Path.of("data", "bft");
    private volatile boolean equivocate;

    /** For the framework. */
    public BftEngine() {
    }

    /**
     * For plain Java use and tests.
     *
     * @param root directory of the vote log and evidence
     * @param equivocate test only: sign conflicting prevotes
     */
    public BftEngine(Path root, boolean equivocate) {
        this.root = root;
        this.equivocate = equivocate;
    }

    @Activate
    @Modified
    void configure(BundleContext context, Config config) {
        if (!config.dataDir().isBlank()) {
            root = Path.of(config.dataDir());
        } else {
            String data = context.getProperty("hyphae.data");
            root = Path.of(data == null || data.isBlank() ? "data" : data).resolve("bft");
        }
        equivocate = config.faultEquivocate();
    }

    boolean equivocates() {
        return equivocate;
    }

    static long param(ChainSpec.ScheduleEntry segment, String name, long fallback) {
        return segment.longParameter(name, fallback);
    }

    static long firstHeight(ChainSpec.ScheduleEntry segment) {
        return Math.max(1, segment.fromHeight());
    }

    /** The validators of the height after {@code header} (a header of this engine's chain, or its parent). */
    ValidatorSet validatorsAfter(ChainView chain, BlockHeader header) throws InvalidBlockException {
        ChainSpec.ScheduleEntry segment = chain.segment();
        long first = firstHeight(segment);
        Deque<BlockHeader> toApply = new ArrayDeque<>();
        BlockHeader cursor = header;
        ValidatorSet base;
        while (true) {
            if (cursor.height() < first) {
                try {
                    base = ValidatorSet.parse(segment.parameter("validators", ""));
                } catch (IllegalArgumentException e) {
                    throw new InvalidBlockException("bft segment from height " + segment.fromHeight() + ": " + e.getMessage());
                }
                break;
            }
            ValidatorSet cached = sets.get(cursor.hash());
            if (cached != null) {
                base = cached;
                break;
            }
            toApply.push(cursor);
            Hash parent = cursor.parent();
            long h = cursor.height();
            cursor = chain.header(parent).orElseThrow(() -> new InvalidBlockException(
                    "bft: header " + parent.shortHex() + " at height " + (h - 1) + " is unknown"));
        }
        ValidatorSet s = base;
        while (!toApply.isEmpty()) {
            BlockHeader h = toApply.pop();
            s = s.next(decodeSeal(h).changes());
            sets.put(h.hash(), s);
        }
        return s;
    }

    static BftSeal decodeSeal(BlockHeader h) throws InvalidBlockException {
        try {
            return BftSeal.decode(h.seal());
        } catch (IllegalArgumentException e) {
            throw new InvalidBlockException("block #" + h.height() + " " + h.hash().shortHex() + ": malformed bft seal: " + e.getMessage());
        }
    }

    @Override
    public void verifyHeader(ChainView chain, BlockHeader parent, BlockHeader header) throws InvalidBlockException {
        String where = "block #" + header.height() + " " + header.hash().shortHex();
        BftSeal seal = decodeSeal(header);
        ValidatorSet set = validatorsAfter(chain, parent);
        PeerId proposer = header.proposer().orElseThrow(() -> new InvalidBlockException(where + ": no proposer"));
        if (set.indexOf(proposer) < 0) {
            throw new InvalidBlockException(where + ": proposer " + proposer + " is not a validator (validators: " + set + ")");
        }
        long period = param(chain.segment(), "period", 1000);
        if (parent.height() >= firstHeight(chain.segment()) && header.time() < parent.time() + period) {
            throw new InvalidBlockException(where + ": time " + header.time() + " is less than the period " + period
                    + " ms after its parent's " + parent.time());
        }
        if (!set.applicable(seal.changes()).equals(seal.changes())) {
            throw new InvalidBlockException(where + ": the seal's validator changes " + seal.changes() + " do not all take effect on "
                    + set);
        }
        Hash id = BftSeal.blockId(header, seal.changes());
        byte[] signed = BftMessage.Vote.signedBytes(chain.chainId(), BftMessage.PRECOMMIT, header.height(), seal.round(), id);
        long power = 0;
        for (BftSeal.Commit c : seal.commits()) {
            if (c.index() >= set.size()) {
                throw new InvalidBlockException(where + ": commit by validator index " + c.index() + " of " + set.size());
            }
            PeerId v = set.peer(c.index());
            if (!chain.verifySignature(v, signed, c.signature())) {
                throw new InvalidBlockException(where + ": the commit signature of validator " + v + " for round " + seal.round()
                        + " is not valid");
            }
            power += set.power(c.index());
        }
        if (!set.isQuorum(power)) {
            throw new InvalidBlockException(where + ": the commit certificate holds " + power + " of " + set.totalPower()
                    + " voting power, not more than two thirds");
        }
    }

    @Override
    public long weight(ChainView chain, BlockHeader header) {
        return 1;
    }

    @Override
    public long finalizedHeight(ChainView chain, BlockHeader head) {
        return head.height();
    }

    @Override
    public EngineSession start(EngineContext context) {
        Path dir = root.resolve(context.chainId().replaceAll("[^A-Za-z0-9._-]", "_"));
        try {
            BftSession s = new BftSession(this, context, VoteLog.open(dir), EvidenceLog.open(dir));
            sessions.add(s);
            s.start();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("bft: cannot open the vote log in " + dir, e);
        }
    }

    void closed(BftSession s) {
        sessions.remove(s);
    }

    /** The running sessions (tests). */
    List<BftSession> sessions() {
        return List.copyOf(sessions);
    }

    /**
     * {@code hyphae:bft}: the running session's height, round, step, lock, validators and dropped messages.
     *
     * @return a report
     */
    @Descriptor("the BFT session: height, round, step, lock, validators, evidence, dropped messages by sender")
    public String bft() {
        if (sessions.isEmpty()) {
            return "bft: no session running (the chain's head is not in a bft segment, or this node has no ledger)";
        }
        StringBuilder b = new StringBuilder();
        for (BftSession s : sessions) {
            b.append(s.describe());
        }
        return b.toString();
    }

    /**
     * {@code hyphae:evidence}: double signing this node has seen and kept.
     *
     * @return one line per offence
     */
    @Descriptor("evidence of double signing kept by this node: validator, height/round, the two blocks")
    public String evidence() {
        List<String> lines = new ArrayList<>();
        for (BftSession s : sessions) {
            for (BftMessage.Offence e : s.evidence()) {
                lines.add(e.toString());
            }
        }
        return lines.isEmpty() ? "no evidence of double signing" : String.join("\n", lines);
    }
}
