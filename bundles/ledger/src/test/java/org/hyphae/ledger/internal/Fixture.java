package org.hyphae.ledger.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;

import org.hyphae.consensus.ConsensusEngine;
import org.hyphae.consensus.poa.internal.CliqueEngine;
import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.Transaction;
import org.hyphae.storage.Datastore;
import org.hyphae.transport.testkit.TestIdentity;

/** Signers, users and a chain spec for ledger tests, with the real proof-of-authority engine. */
final class Fixture {

    static final long PERIOD = 10;

    final List<TestIdentity> signers = new ArrayList<>();
    final List<TestIdentity> users = new ArrayList<>();
    final ChainSpec spec;
    final CliqueEngine poa = new CliqueEngine();
    long clock = 1_800_000_000_000L;

    Fixture(int signerCount, int userCount) {
        this(signerCount, userCount, i -> 1_000_000);
    }

    /** With user i's genesis balance {@code balanceOf(i)}. */
    Fixture(int signerCount, int userCount, java.util.function.IntToLongFunction balanceOf) {
        for (int i = 0; i < signerCount; i++) {
            signers.add(TestIdentity.fromSeedByte(10 + i));
        }
        for (int i = 0; i < userCount; i++) {
            users.add(TestIdentity.fromSeedByte(100 + i));
        }
        Properties p = new Properties();
        p.setProperty("chain.id", "test-chain");
        p.setProperty("genesis.time", "1700000000000");
        for (int i = 0; i < users.size(); i++) {
            p.setProperty("balance." + users.get(i).peerId(), String.valueOf(balanceOf.applyAsLong(i)));
        }
        p.setProperty("consensus.1.engine", "poa");
        p.setProperty("consensus.1.period", String.valueOf(PERIOD));
        p.setProperty("consensus.1.signers", signers.stream().map(s -> s.peerId().toString()).collect(Collectors.joining(",")));
        spec = ChainSpec.parse(p, signers.get(0).peerId());
    }

    ConsensusEngine engine(String name) {
        return "poa".equals(name) ? poa : null;
    }

    Chain chain(Datastore ds) throws Exception {
        return new Chain(ds, spec, this::engine, new SignatureVerifier(signers.get(0)),
                () -> clock, new Chain.Limits(15_000, 5000));
    }

    Transaction transfer(TestIdentity from, long nonce, long fee, PeerId to, long amount) {
        Transaction t = Transaction.transfer(spec.chainId(), from.peerId(), nonce, fee, to, amount);
        return t.withSignature(from.sign(t.signingBytes()));
    }

    /** The signer whose turn a height is (signers sorted by bytes, as the engine orders them). */
    TestIdentity inTurn(long height) {
        List<TestIdentity> sorted = new ArrayList<>(signers);
        sorted.sort((a, b) -> java.util.Arrays.compareUnsigned(a.peerId().bytes(), b.peerId().bytes()));
        return sorted.get((int) (height % sorted.size()));
    }

    /** A sealed block on {@code parent} (which must be the chain's head) with these transactions. */
    Block block(Chain chain, BlockHeader parent, TestIdentity signer, List<Transaction> txs) {
        clock = Math.max(clock, parent.time() + PERIOD);
        Block unsealed = chain.assemble(parent, clock, signer.peerId(), txs);
        return CliqueEngine.seal(unsealed, signer::sign, Optional.empty());
    }

    /** Seals a hand-made header and body (for blocks the chain's own assembler would not make). */
    Block sealed(BlockHeader header, List<Transaction> txs, TestIdentity signer) {
        return CliqueEngine.seal(new Block(header, txs), signer::sign, Optional.empty());
    }

    static Map<String, Long> none() {
        return Map.of();
    }
}
