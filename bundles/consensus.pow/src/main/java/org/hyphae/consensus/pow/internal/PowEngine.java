package org.hyphae.consensus.pow.internal;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.OptionalLong;

import org.hyphae.consensus.ChainView;
import org.hyphae.consensus.ConsensusEngine;
import org.hyphae.consensus.EngineContext;
import org.hyphae.consensus.EngineSession;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.InvalidBlockException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Nakamoto proof of work. Parameters in the chain file's segment: {@code difficulty} (expected
 * hashes per block at the segment's start, default 1,000,000), {@code blockTime} (ms the
 * retarget aims at, default 5000), {@code window} (blocks per retarget, default 20),
 * {@code confirmations} (blocks after which no reorg is accepted; 0, the default, for none).
 *
 * <p>Rules: the seal's target is the retarget rule's, and the work hash is at most that target.
 * The target stays the same within a window; at each height {@code fromHeight + k * window} it
 * becomes {@code previous * actual / (window * blockTime)}, where {@code actual} is the time the last
 * {@code window} blocks took, clamped to a quarter and four times the expected span (so the target
 * moves at most by x4 or /4 a step, as Bitcoin clamps it). Time rules are the ledger's (each block
 * strictly after its parent and at most a few seconds ahead of the clock), which leaves a miner no
 * room to lower the difficulty by more than the clamp. A block weighs its work, 2^256/(target+1).
 */
@Component(service = ConsensusEngine.class, property = ConsensusEngine.NAME_PROPERTY + "=pow", configurationPid = PowEngine.PID)
@Designate(ocd = PowEngine.Config.class)
public final class PowEngine implements ConsensusEngine {

    /** Configuration PID. */
    public static final String PID = "org.hyphae.consensus.pow";

    /** Mining on this node. */
    @ObjectClassDefinition(name = "Hyphae proof of work", description = "Mining on this node")
    public @interface Config {
        /** Mining threads; 0 mines nothing. */
        @AttributeDefinition(description = "mining threads; 0 (the default) mines nothing, the node only verifies")
        int threads() default 0;

        /** How often the block being mined is rebuilt to take in new transactions. */
        @AttributeDefinition(description = "ms after which the block being mined is rebuilt from the mempool")
        long templateRefreshMillis() default 1000;
    }

    private volatile int threads;
    private volatile long templateRefreshMillis = 1000;
    /** Hashes tried by all sessions since the thread count was last set, and since when. */
    private final java.util.concurrent.atomic.AtomicLong hashes = new java.util.concurrent.atomic.AtomicLong();
    private volatile long countingSince = System.nanoTime();

    /** For tests and plain Java use: no mining. */
    public PowEngine() {
    }

    @Activate
    @Modified
    void configure(Config config) {
        threads(config.threads());
        templateRefreshMillis = Math.max(10, config.templateRefreshMillis());
    }

    /**
     * Sets the number of mining threads (as the {@code threads} configuration does); running
     * sessions follow at their next template.
     *
     * @param n threads, 0 for none
     */
    public void threads(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative thread count " + n);
        }
        if (n != threads) {
            hashes.set(0);
            countingSince = System.nanoTime();
        }
        threads = n;
    }

    /** Mining threads now. */
    int threads() {
        return threads;
    }

    /** Hashes per second tried on this node since the thread count was last set. */
    double hashRate() {
        double seconds = (System.nanoTime() - countingSince) / 1e9;
        return seconds <= 0 ? 0 : hashes.get() / seconds;
    }

    void hashed(long n) {
        hashes.addAndGet(n);
    }

    long templateRefreshMillis() {
        return templateRefreshMillis;
    }

    static long difficulty(ChainSpec.ScheduleEntry segment) {
        return Math.max(1, segment.longParameter("difficulty", 1_000_000));
    }

    static long blockTime(ChainSpec.ScheduleEntry segment) {
        return Math.max(1, segment.longParameter("blockTime", 5000));
    }

    static long window(ChainSpec.ScheduleEntry segment) {
        return Math.max(1, segment.longParameter("window", 20));
    }

    /**
     * The target a child of {@code parent} must be mined against.
     *
     * @param chain the chain of the parent
     * @param parent the parent header
     * @return the target
     * @throws InvalidBlockException if a header the rule needs is unknown or malformed
     */
    public static BigInteger expectedTarget(ChainView chain, BlockHeader parent) throws InvalidBlockException {
        ChainSpec.ScheduleEntry segment = chain.segment();
        long from = Math.max(1, segment.fromHeight());
        long height = parent.height() + 1;
        if (height <= from) {
            return Targets.fromDifficulty(difficulty(segment));
        }
        BigInteger previous = decodeSeal(parent).targetValue();
        long window = window(segment);
        if ((height - from) % window != 0) {
            return previous;
        }
        BlockHeader first = parent;
        for (long i = 0; i < window; i++) {
            BlockHeader f = first;
            first = chain.header(f.parent()).orElseThrow(() -> new InvalidBlockException(
                    "pow: header " + f.parent().shortHex() + " at height " + (f.height() - 1) + " is unknown (needed to retarget at " + height + ")"));
        }
        long expected = window * blockTime(segment);
        long actual = Math.min(4 * expected, Math.max(expected / 4, parent.time() - first.time()));
        BigInteger next = previous.multiply(BigInteger.valueOf(actual)).divide(BigInteger.valueOf(expected));
        return next.max(BigInteger.ONE).min(Targets.MAX);
    }

    private static PowSeal decodeSeal(BlockHeader h) throws InvalidBlockException {
        try {
            return PowSeal.decode(h.seal());
        } catch (IllegalArgumentException e) {
            throw new InvalidBlockException("block #" + h.height() + " " + h.hash().shortHex() + ": malformed pow seal: " + e.getMessage());
        }
    }

    @Override
    public void verifyHeader(ChainView chain, BlockHeader parent, BlockHeader header) throws InvalidBlockException {
        String where = "block #" + header.height() + " " + header.hash().shortHex();
        PowSeal seal = decodeSeal(header);
        BigInteger expected = expectedTarget(chain, parent);
        if (!seal.targetValue().equals(expected)) {
            throw new InvalidBlockException(where + ": pow target " + Targets.hex(seal.targetValue())
                    + " is not the retarget rule's " + Targets.hex(expected));
        }
        byte[] hash = PowSeal.workHash(header, seal);
        if (Arrays.compareUnsigned(hash, seal.target()) > 0) {
            throw new InvalidBlockException(where + ": pow hash " + java.util.HexFormat.of().formatHex(hash)
                    + " is above the target " + Targets.hex(expected));
        }
    }

    @Override
    public long weight(ChainView chain, BlockHeader header) {
        try {
            return Targets.work(decodeSeal(header).targetValue());
        } catch (InvalidBlockException e) {
            return 1;
        }
    }

    @Override
    public long finalizedHeight(ChainView chain, BlockHeader head) {
        long confirmations = chain.segment().longParameter("confirmations", 0);
        if (confirmations <= 0) {
            return 0;
        }
        return Math.max(0, head.height() - confirmations);
    }

    @Override
    public EngineSession start(EngineContext context) {
        return new PowSession(this, context);
    }

    /**
     * Tries nonces {@code start, start+1, ...} against a target.
     *
     * @param headerDigest {@link PowSeal#headerDigest} of the block being mined
     * @param target the 32-byte target
     * @param start the first nonce
     * @param count how many to try
     * @return the first nonce that meets the target, if any
     */
    static OptionalLong search(byte[] headerDigest, byte[] target, long start, long count) {
        MessageDigest md = PowSeal.sha256();
        byte[] in = java.util.Arrays.copyOf(headerDigest, 40);
        byte[] out = new byte[32];
        try {
            for (long i = 0; i < count; i++) {
                long n = start + i;
                for (int b = 0; b < 8; b++) {
                    in[39 - b] = (byte) (n >>> (8 * b));
                }
                md.update(in);
                md.digest(out, 0, 32);
                if (Arrays.compareUnsigned(out, target) <= 0) {
                    return OptionalLong.of(n);
                }
            }
        } catch (java.security.DigestException e) {
            throw new IllegalStateException("SHA-256 into a 32-byte buffer failed: " + e, e);
        }
        return OptionalLong.empty();
    }

    /**
     * Mines a block on one thread (for tools and tests that make blocks by hand).
     *
     * @param unsealed the block, roots and proposer set
     * @param target the target to meet, e.g. from {@link #expectedTarget}
     * @return the sealed block
     */
    public static Block mine(Block unsealed, BigInteger target) {
        byte[] t = Targets.toBytes(target);
        byte[] digest = PowSeal.headerDigest(unsealed.header(), t);
        long start = 0;
        while (true) {
            OptionalLong n = search(digest, t, start, 1 << 16);
            if (n.isPresent()) {
                return new Block(unsealed.header().withSeal(new PowSeal(t, n.getAsLong()).encode()), unsealed.transactions());
            }
            start += 1 << 16;
        }
    }

    /**
     * The target of a child of {@code parent} in a chain's segment, then mines it (tests, tools).
     *
     * @param chain the chain view
     * @param unsealed the block on {@code chain}'s header {@code unsealed.header().parent()}
     * @return the sealed block
     * @throws InvalidBlockException if the retarget rule cannot be evaluated
     */
    public static Block mine(ChainView chain, Block unsealed) throws InvalidBlockException {
        BlockHeader parent = chain.header(unsealed.header().parent()).orElseThrow(
                () -> new InvalidBlockException("pow: parent " + unsealed.header().parent().shortHex() + " is unknown"));
        return mine(unsealed, expectedTarget(chain, parent));
    }
}
