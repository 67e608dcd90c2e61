package org.hyphae.consensus.poa.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.hyphae.consensus.ChainView;
import org.hyphae.consensus.ConsensusEngine;
import org.hyphae.consensus.EngineContext;
import org.hyphae.consensus.EngineSession;
import org.hyphae.identity.PeerId;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.InvalidBlockException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Clique-style proof of authority. Parameters in the chain file's segment: {@code signers} (comma
 * list of peer ids), {@code period} (ms between blocks, default 1000), {@code wiggle} (ms an
 * out-of-turn signer waits per step, default 500), {@code finality} (blocks after which no reorg
 * is accepted, default 128).
 *
 * <p>Rules: the proposer must be a signer of the snapshot at the parent and must not have signed
 * any of the last {@code n/2} blocks; the block comes at least {@code period} after its parent;
 * the seal's signature is the proposer's; a vote in the seal must add a non-signer or remove a
 * signer, and a target with votes from more than half the signers is added or removed. In-turn
 * blocks ({@code signers[height mod n]}) weigh 2, others 1.
 */
@Component(service = ConsensusEngine.class, property = ConsensusEngine.NAME_PROPERTY + "=poa", configurationPid = CliqueEngine.PID)
@Designate(ocd = CliqueEngine.Config.class)
public final class CliqueEngine implements ConsensusEngine {

    /** Configuration PID. */
    public static final String PID = "org.hyphae.consensus.poa";

    /** This node's votes, cast in the blocks it seals until they pass. */
    @ObjectClassDefinition(name = "Hyphae proof of authority", description = "This signer's votes on the signer set")
    public @interface Config {
        /** Votes as add:<peer id> or remove:<peer id>. */
        @AttributeDefinition(description = "votes cast in the blocks this node seals: add:<peer id> or remove:<peer id>")
        String[] votes() default {};
    }

    private final Map<Hash, Snapshot> snapshots = Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Hash, Snapshot> eldest) {
            return size() > 8192;
        }
    });
    private volatile List<Seal.Vote> votes = List.of();

    /** For tests and plain Java use: no votes. */
    public CliqueEngine() {
    }

    @Activate
    @Modified
    void configure(Config config) {
        List<Seal.Vote> v = new ArrayList<>();
        for (String s : config.votes()) {
            if (!s.isBlank()) {
                v.add(Seal.Vote.parse(s));
            }
        }
        votes = List.copyOf(v);
    }

    /** Sets this node's votes (as the {@code votes} configuration does). */
    public void votes(List<String> texts) {
        List<Seal.Vote> v = new ArrayList<>();
        for (String s : texts) {
            v.add(Seal.Vote.parse(s));
        }
        votes = List.copyOf(v);
    }

    List<Seal.Vote> currentVotes() {
        return votes;
    }

    static long period(ChainSpec.ScheduleEntry segment) {
        return segment.longParameter("period", 1000);
    }

    static long wiggle(ChainSpec.ScheduleEntry segment) {
        return segment.longParameter("wiggle", 500);
    }

    /** The signer snapshot after the block {@code header} (a header of this engine's chain). */
    Snapshot snapshot(ChainView chain, BlockHeader header) throws InvalidBlockException {
        ChainSpec.ScheduleEntry segment = chain.segment();
        Deque<BlockHeader> toApply = new ArrayDeque<>();
        BlockHeader cursor = header;
        Snapshot base;
        while (true) {
            if (cursor.height() < Math.max(1, segment.fromHeight())) {
                List<PeerId> signers = segment.peersParameter("signers");
                if (signers.isEmpty()) {
                    throw new InvalidBlockException("poa segment from height " + segment.fromHeight() + " lists no signers");
                }
                base = Snapshot.initial(cursor.height(), signers);
                break;
            }
            Snapshot cached = snapshots.get(cursor.hash());
            if (cached != null) {
                base = cached;
                break;
            }
            toApply.push(cursor);
            Hash parent = cursor.parent();
            long h = cursor.height();
            cursor = chain.header(parent).orElseThrow(() -> new InvalidBlockException(
                    "poa: header " + parent.shortHex() + " at height " + (h - 1) + " is unknown"));
        }
        Snapshot s = base;
        while (!toApply.isEmpty()) {
            BlockHeader h = toApply.pop();
            Seal seal = decodeSeal(h);
            s = s.apply(h.height(), h.proposer().orElseThrow(), seal.vote());
            snapshots.put(h.hash(), s);
        }
        return s;
    }

    private static Seal decodeSeal(BlockHeader h) throws InvalidBlockException {
        try {
            return Seal.decode(h.seal());
        } catch (IllegalArgumentException e) {
            throw new InvalidBlockException("block #" + h.height() + " " + h.hash().shortHex() + ": malformed poa seal: " + e.getMessage());
        }
    }

    @Override
    public void verifyHeader(ChainView chain, BlockHeader parent, BlockHeader header) throws InvalidBlockException {
        String where = "block #" + header.height() + " " + header.hash().shortHex();
        Seal seal = decodeSeal(header);
        PeerId signer = header.proposer().orElseThrow(() -> new InvalidBlockException(where + ": no proposer"));
        if (!chain.verifySignature(signer, Seal.signedBytes(header, seal.vote()), seal.signature())) {
            throw new InvalidBlockException(where + ": the poa seal is not " + signer + "'s signature");
        }
        Snapshot snap = snapshot(chain, parent);
        if (!snap.isSigner(signer)) {
            throw new InvalidBlockException(where + ": " + signer + " is not an authorized signer (signers: " + snap.signers() + ")");
        }
        Optional<Long> recent = snap.signedRecently(signer, header.height());
        if (recent.isPresent()) {
            throw new InvalidBlockException(where + ": " + signer + " signed block #" + recent.get()
                    + " recently; a signer may sign one of every " + snap.limit() + " blocks");
        }
        long period = period(chain.segment());
        if (parent.height() > 0 && header.time() < parent.time() + period) {
            throw new InvalidBlockException(where + ": time " + header.time() + " is less than the period " + period
                    + " ms after its parent's " + parent.time());
        }
        if (seal.vote().isPresent() && !snap.validVote(seal.vote().get())) {
            Seal.Vote v = seal.vote().get();
            throw new InvalidBlockException(where + ": vote to " + (v.add() ? "add " : "remove ") + v.target()
                    + (v.add() ? ", already a signer" : ", not a signer"));
        }
    }

    @Override
    public long weight(ChainView chain, BlockHeader header) {
        try {
            BlockHeader parent = chain.header(header.parent()).orElseThrow();
            Snapshot snap = snapshot(chain, parent);
            return snap.inTurn(header.height()).equals(header.proposer().orElse(null)) ? 2 : 1;
        } catch (InvalidBlockException | RuntimeException e) {
            return 1;
        }
    }

    @Override
    public long finalizedHeight(ChainView chain, BlockHeader head) {
        return Math.max(0, head.height() - chain.segment().longParameter("finality", 128));
    }

    /**
     * Seals a block as {@code signer} would (for tools and tests that make blocks by hand).
     *
     * @param unsealed the block with its proposer set to the signer
     * @param sign the signer's Ed25519 signing function
     * @param vote an optional vote, {@code add:<peer>} or {@code remove:<peer>}
     * @return the sealed block
     */
    public static org.hyphae.ledger.Block seal(org.hyphae.ledger.Block unsealed, java.util.function.UnaryOperator<byte[]> sign,
            Optional<String> vote) {
        Optional<Seal.Vote> v = vote.map(Seal.Vote::parse);
        BlockHeader h = unsealed.header();
        byte[] sig = sign.apply(Seal.signedBytes(h, v));
        return new org.hyphae.ledger.Block(h.withSeal(new Seal(v, sig).encode()), unsealed.transactions());
    }

    @Override
    public EngineSession start(EngineContext context) {
        return new CliqueSession(this, context);
    }
}
