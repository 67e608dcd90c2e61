package org.hyphae.consensus.pow.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.hyphae.consensus.ChainView;
import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.InvalidBlockException;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.Test;

class PowEngineTest {

    private static final long DIFFICULTY = 64;
    private static final long BLOCK_TIME = 1000;
    private static final long WINDOW = 4;

    private final PeerId miner = TestIdentity.fromSeedByte(7).peerId();
    private final PowEngine engine = new PowEngine();

    /** Headers by hash and a pow segment: the part of the chain an engine may read. */
    private static final class Headers implements ChainView {
        final Map<Hash, BlockHeader> byHash = new HashMap<>();
        final ChainSpec.ScheduleEntry segment;

        Headers(long from, Map<String, String> params) {
            segment = new ChainSpec.ScheduleEntry(from, "pow", params);
        }

        @Override
        public String chainId() {
            return "pow-test";
        }

        @Override
        public ChainSpec.ScheduleEntry segment() {
            return segment;
        }

        @Override
        public Optional<BlockHeader> header(Hash hash) {
            return Optional.ofNullable(byHash.get(hash));
        }

        @Override
        public boolean verifySignature(PeerId signer, byte[] data, byte[] signature) {
            return false;
        }

        BlockHeader add(BlockHeader h) {
            byHash.put(h.hash(), h);
            return h;
        }
    }

    private static Map<String, String> params() {
        return Map.of("difficulty", String.valueOf(DIFFICULTY), "blockTime", String.valueOf(BLOCK_TIME), "window",
                String.valueOf(WINDOW), "confirmations", "6");
    }

    private static BlockHeader genesis(Headers chain) {
        return chain.add(new BlockHeader(Hash.ZERO, 0, 1_000_000, Hash.sha256(new byte[] {1}), Hash.sha256(new byte[] {2}),
                Optional.empty(), new byte[32]));
    }

    private BlockHeader unsealed(BlockHeader parent, long time) {
        return new BlockHeader(parent.hash(), parent.height() + 1, time, Hash.sha256(new byte[] {3}),
                Hash.sha256(new byte[] {4}), Optional.of(miner), new byte[0]);
    }

    /** Mines and verifies a child of {@code parent} at {@code time}. */
    private BlockHeader mineOn(Headers chain, BlockHeader parent, long time) throws InvalidBlockException {
        BlockHeader h = PowEngine.mine(chain, new Block(unsealed(parent, time), List.of())).header();
        engine.verifyHeader(chain, parent, h);
        return chain.add(h);
    }

    @Test
    void minedBlocksVerifyAndWeighTheirWork() throws Exception {
        Headers chain = new Headers(1, params());
        BlockHeader g = genesis(chain);
        BlockHeader b1 = mineOn(chain, g, g.time() + BLOCK_TIME);
        BigInteger target = PowSeal.decode(b1.seal()).targetValue();
        assertEquals(Targets.fromDifficulty(DIFFICULTY), target);
        assertTrue(Arrays.compareUnsigned(PowSeal.workHash(b1, PowSeal.decode(b1.seal())), Targets.toBytes(target)) <= 0);
        assertEquals(DIFFICULTY, engine.weight(chain, b1));
        // Within a window the target stays.
        BlockHeader b2 = mineOn(chain, b1, b1.time() + 1);
        assertEquals(target, PowSeal.decode(b2.seal()).targetValue());
    }

    @Test
    void retargetsTowardTheBlockTimeWithinTheClamp() throws Exception {
        Headers chain = new Headers(1, params());
        BlockHeader h = genesis(chain);
        BigInteger initial = Targets.fromDifficulty(DIFFICULTY);
        // The first window (heights 1..4) comes twice as fast as it should.
        for (int i = 0; i < WINDOW; i++) {
            h = mineOn(chain, h, h.time() + BLOCK_TIME / 2);
        }
        BlockHeader fast = mineOn(chain, h, h.time() + BLOCK_TIME);
        assertEquals(5, fast.height());
        BigInteger t1 = PowSeal.decode(fast.seal()).targetValue();
        assertEquals(initial.divide(BigInteger.TWO), t1, "half the time: half the target, twice the work");
        assertTrue(engine.weight(chain, fast) >= 2 * DIFFICULTY - 1);
        h = fast;
        // Then the window 5..8 takes 100 times too long: the step is clamped to x4.
        for (int i = 0; i < WINDOW - 1; i++) {
            h = mineOn(chain, h, h.time() + 100 * BLOCK_TIME);
        }
        BlockHeader slow = mineOn(chain, h, h.time() + 1);
        assertEquals(9, slow.height());
        BigInteger t2 = PowSeal.decode(slow.seal()).targetValue();
        assertEquals(t1.multiply(BigInteger.valueOf(4)), t2);
        // And a window at 1 ms a block is clamped to /4.
        h = slow;
        for (int i = 0; i < WINDOW - 1; i++) {
            h = mineOn(chain, h, h.time() + 1);
        }
        BlockHeader quick = mineOn(chain, h, h.time() + 1);
        assertEquals(13, quick.height());
        assertEquals(t2.multiply(BigInteger.valueOf(WINDOW * BLOCK_TIME / 4)).divide(BigInteger.valueOf(WINDOW * BLOCK_TIME)),
                PowSeal.decode(quick.seal()).targetValue());
    }

    @Test
    void aSegmentStartingLaterUsesItsInitialDifficultyAtItsFirstHeight() throws Exception {
        Headers chain = new Headers(3, params());
        BlockHeader g = genesis(chain);
        // Blocks 1 and 2 belong to an earlier engine: their seals are not pow seals.
        BlockHeader b1 = chain.add(unsealed(g, g.time() + 10).withSeal(new byte[] {9, 9}));
        BlockHeader b2 = chain.add(unsealed(b1, b1.time() + 10).withSeal(new byte[] {9, 9}));
        BlockHeader b3 = mineOn(chain, b2, b2.time() + BLOCK_TIME);
        assertEquals(Targets.fromDifficulty(DIFFICULTY), PowSeal.decode(b3.seal()).targetValue());
        BlockHeader h = b3;
        for (int i = 0; i < WINDOW; i++) {
            h = mineOn(chain, h, h.time() + BLOCK_TIME);
        }
        // Height 7 = 3 + 4 retargets over the intervals 2..6, each the block time: no change.
        assertEquals(7, h.height());
        assertEquals(Targets.fromDifficulty(DIFFICULTY), PowSeal.decode(h.seal()).targetValue());
    }

    @Test
    void refusesAWrongTargetAHashAboveTheTargetAndMalformedSeals() throws Exception {
        Headers chain = new Headers(1, params());
        BlockHeader g = genesis(chain);
        BlockHeader good = mineOn(chain, g, g.time() + BLOCK_TIME);
        PowSeal seal = PowSeal.decode(good.seal());

        // An easier target than the rule's, with a hash that meets it.
        Block easy = PowEngine.mine(new Block(unsealed(g, g.time() + BLOCK_TIME + 1), List.of()), Targets.MAX);
        InvalidBlockException e = assertThrows(InvalidBlockException.class, () -> engine.verifyHeader(chain, g, easy.header()));
        assertTrue(e.getMessage().contains("is not the retarget rule's"), e.getMessage());

        // The right target with a nonce whose hash misses it.
        long bad = seal.nonce();
        BlockHeader miss;
        do {
            bad++;
            miss = good.withSeal(new PowSeal(seal.target(), bad).encode());
        } while (Arrays.compareUnsigned(PowSeal.workHash(miss, PowSeal.decode(miss.seal())), seal.target()) <= 0);
        BlockHeader missed = miss;
        e = assertThrows(InvalidBlockException.class, () -> engine.verifyHeader(chain, g, missed));
        assertTrue(e.getMessage().contains("is above the target"), e.getMessage());

        // A changed header no longer meets the work its seal claims (the seal covers every field).
        BlockHeader moved = new BlockHeader(good.parent(), good.height(), good.time() + 1, good.txRoot(), good.stateRoot(),
                good.proposer(), good.seal());
        if (Arrays.compareUnsigned(PowSeal.workHash(moved, seal), seal.target()) > 0) {
            assertThrows(InvalidBlockException.class, () -> engine.verifyHeader(chain, g, moved));
        }

        for (byte[] s : List.of(new byte[0], new byte[40], new byte[42], badVersion(good.seal()))) {
            BlockHeader h = good.withSeal(s);
            e = assertThrows(InvalidBlockException.class, () -> engine.verifyHeader(chain, g, h));
            assertTrue(e.getMessage().contains("malformed pow seal"), e.getMessage());
        }
        assertEquals(1, engine.weight(chain, good.withSeal(new byte[3])), "a seal that is not pow weighs the least");
    }

    @Test
    void aRetargetNeedsTheWholeWindow() throws Exception {
        Headers chain = new Headers(1, params());
        BlockHeader h = genesis(chain);
        for (int i = 0; i < WINDOW; i++) {
            h = mineOn(chain, h, h.time() + BLOCK_TIME);
        }
        Headers partial = new Headers(1, params());
        partial.add(h);
        BlockHeader head = h;
        InvalidBlockException e = assertThrows(InvalidBlockException.class, () -> PowEngine.expectedTarget(partial, head));
        assertTrue(e.getMessage().contains("is unknown"), e.getMessage());
    }

    @Test
    void finalityFollowsTheConfirmationDepthOrIsNone() throws Exception {
        Headers chain = new Headers(1, params());
        BlockHeader g = genesis(chain);
        BlockHeader b = unsealed(g, g.time() + 1);
        BlockHeader at10 = new BlockHeader(b.parent(), 10, b.time(), b.txRoot(), b.stateRoot(), b.proposer(), new byte[0]);
        assertEquals(4, engine.finalizedHeight(chain, at10));
        Headers none = new Headers(1, Map.of("difficulty", "4"));
        assertEquals(0, engine.finalizedHeight(none, at10));
    }

    @Test
    void targetsAndSealsRoundTrip() {
        assertEquals(Targets.MAX, Targets.fromDifficulty(1));
        assertEquals(1, Targets.work(Targets.MAX));
        assertEquals(1L << 20, Targets.work(Targets.fromDifficulty(1L << 20)));
        assertEquals(Targets.MAX_WORK, Targets.work(BigInteger.ONE), "work is capped so the ledger's sum fits a long");
        PowSeal s = new PowSeal(BigInteger.valueOf(12345), -7);
        assertEquals(s, PowSeal.decode(s.encode()));
        assertEquals(BigInteger.valueOf(12345), PowSeal.decode(s.encode()).targetValue());
        assertThrows(IllegalArgumentException.class, () -> Targets.fromDifficulty(0));
        assertThrows(IllegalArgumentException.class, () -> Targets.toBytes(Targets.TWO_256));
    }

    private static byte[] badVersion(byte[] seal) {
        byte[] s = seal.clone();
        s[0] = 2;
        return s;
    }

    private static final class Arrays {
        static int compareUnsigned(byte[] a, byte[] b) {
            return java.util.Arrays.compareUnsigned(a, b);
        }
    }
}
