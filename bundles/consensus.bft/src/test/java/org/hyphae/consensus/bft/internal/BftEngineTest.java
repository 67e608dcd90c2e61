package org.hyphae.consensus.bft.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.hyphae.consensus.ChainView;
import org.hyphae.identity.PeerId;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.InvalidBlockException;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Header checks from the commit certificate alone, as a syncing node makes them. */
class BftEngineTest {

    static final List<TestIdentity> V = BftNetworkTest.VALIDATORS;

    @TempDir
    Path dir;

    /** The headers of one chain and real Ed25519 checks. */
    static final class Headers implements ChainView {
        final Map<Hash, BlockHeader> byHash = new HashMap<>();
        final ChainSpec spec;

        Headers(ChainSpec spec) {
            this.spec = spec;
        }

        @Override
        public String chainId() {
            return spec.chainId();
        }

        @Override
        public ChainSpec.ScheduleEntry segment() {
            return spec.engineAt(1);
        }

        @Override
        public Optional<BlockHeader> header(Hash hash) {
            return Optional.ofNullable(byHash.get(hash));
        }

        @Override
        public boolean verifySignature(PeerId signer, byte[] data, byte[] signature) {
            return signer.publicKeyProtobuf().map(k -> V.get(0).verify(k, data, signature)).orElse(false);
        }
    }

    private final ChainSpec spec = BftNet.spec("bft-headers", V, null, List.of());
    private final Headers chain = new Headers(spec);
    private final BlockHeader genesis = new BlockHeader(Hash.ZERO, 0, 1000, Hash.ZERO, Hash.ZERO, Optional.empty(), new byte[0]);

    {
        chain.byHash.put(genesis.hash(), genesis);
    }

    private TestIdentity identity(PeerId p) {
        return V.stream().filter(t -> t.peerId().equals(p)).findFirst().orElseThrow();
    }

    /** A header on {@code parent} sealed by the given signers' precommits at {@code round}. */
    private BlockHeader sealed(BlockHeader parent, PeerId proposer, int round, List<ValidatorChange> changes, List<Integer> signers,
            ValidatorSet set, int signedRound) {
        BlockHeader h = new BlockHeader(parent.hash(), parent.height() + 1, parent.time() + 100, Hash.ZERO, Hash.ZERO,
                Optional.of(proposer), new byte[0]);
        Hash id = BftSeal.blockId(h, changes);
        List<BftSeal.Commit> commits = new ArrayList<>();
        for (int i : signers) {
            byte[] sig = identity(set.peer(i)).sign(BftMessage.Vote.signedBytes(spec.chainId(), BftMessage.PRECOMMIT, h.height(),
                    signedRound, id));
            commits.add(new BftSeal.Commit(i, sig));
        }
        return h.withSeal(new BftSeal(round, changes, commits).encode());
    }

    private String rejection(BftEngine engine, BlockHeader parent, BlockHeader h) {
        return assertThrows(InvalidBlockException.class, () -> engine.verifyHeader(chain, parent, h)).getMessage();
    }

    @Test
    void aCertificateOfMoreThanTwoThirdsIsEnoughAndLessIsNot() throws Exception {
        BftEngine engine = new BftEngine(dir, false);
        ValidatorSet set = engine.validatorsAfter(chain, genesis);
        PeerId p = set.proposer(0);
        BlockHeader ok = sealed(genesis, p, 0, List.of(), List.of(0, 1, 2), set, 0);
        assertDoesNotThrow(() -> engine.verifyHeader(chain, genesis, ok));
        assertTrue(rejection(engine, genesis, sealed(genesis, p, 0, List.of(), List.of(0, 1), set, 0)).contains("not more than two thirds"));
        assertTrue(rejection(engine, genesis, sealed(genesis, p, 1, List.of(), List.of(0, 1, 2), set, 0)).contains("is not valid"),
                "precommits of round 0 do not certify a seal claiming round 1");
        BlockHeader outsider = sealed(genesis, TestIdentity.fromSeedByte(99).peerId(), 0, List.of(), List.of(0, 1, 2), set, 0);
        assertTrue(rejection(engine, genesis, outsider).contains("is not a validator"));
        BlockHeader garbage = ok.withSeal(new byte[] {1, 0, 0});
        assertTrue(rejection(engine, genesis, garbage).contains("malformed bft seal"));
        // Another block's certificate does not carry over: the id covers the header without its seal.
        BlockHeader other = new BlockHeader(genesis.hash(), 1, genesis.time() + 200, Hash.ZERO, Hash.ZERO, Optional.of(p), ok.seal());
        assertTrue(rejection(engine, genesis, other).contains("is not valid"));
    }

    @Test
    void validatorChangesInTheSealRuleTheNextHeight() throws Exception {
        BftEngine engine = new BftEngine(dir, false);
        ValidatorSet set = engine.validatorsAfter(chain, genesis);
        PeerId fifth = TestIdentity.fromSeedByte(99).peerId();
        BlockHeader b1 = sealed(genesis, set.proposer(0), 0, List.of(new ValidatorChange(fifth, 1)), List.of(0, 1, 2), set, 0);
        engine.verifyHeader(chain, genesis, b1);
        chain.byHash.put(b1.hash(), b1);
        ValidatorSet next = engine.validatorsAfter(chain, b1);
        assertTrue(next.indexOf(fifth) >= 0);
        // Now 5 validators: 3 precommits are no longer more than two thirds.
        BlockHeader b2 = sealed(b1, next.peer(0), 0, List.of(), List.of(0, 1, 2), next, 0);
        assertTrue(rejection(engine, b1, b2).contains("3 of 5"));
        BftEngine fresh = new BftEngine(dir, false);
        assertTrue(fresh.validatorsAfter(chain, b1).indexOf(fifth) >= 0, "derived from headers alone, with no cache");
        BlockHeader noop = sealed(genesis, set.proposer(0), 0, List.of(new ValidatorChange(fifth, 0)), List.of(0, 1, 2), set, 0);
        assertTrue(rejection(engine, genesis, noop).contains("do not all take effect"));
    }
}
