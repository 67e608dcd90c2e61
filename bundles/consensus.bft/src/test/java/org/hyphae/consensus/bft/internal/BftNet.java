package org.hyphae.consensus.bft.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.hyphae.identity.PeerId;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.Transaction;
import org.hyphae.ledger.internal.LedgerNode;
import org.hyphae.pubsub.TopicValidator;
import org.hyphae.pubsub.gossipsub.internal.GossipRouter;
import org.hyphae.pubsub.gossipsub.internal.RouterParams;
import org.hyphae.pubsub.gossipsub.internal.ScoreParams;
import org.hyphae.storage.memory.MemoryDatastore;
import org.hyphae.transport.testkit.MemoryNetwork;
import org.hyphae.transport.testkit.MemoryNode;
import org.hyphae.transport.testkit.TestIdentity;

/** BFT ledger nodes in one JVM: the real ledger, GossipSub router and engine over the in-memory network. */
final class BftNet implements AutoCloseable {

    final MemoryNetwork net = new MemoryNetwork().simulateIdentify(true);
    final List<Peer> peers = new ArrayList<>();
    private final Path dir;

    /** One node. */
    static final class Peer {
        final TestIdentity id;
        final MemoryNode host;
        final GossipRouter router;
        final LedgerNode ledger;
        final MemoryDatastore store;
        final BftEngine engine;

        Peer(TestIdentity id, MemoryNode host, GossipRouter router, LedgerNode ledger, MemoryDatastore store, BftEngine engine) {
            this.id = id;
            this.host = host;
            this.router = router;
            this.ledger = ledger;
            this.store = store;
            this.engine = engine;
        }

        BftSession session() {
            List<BftSession> s = engine.sessions();
            return s.isEmpty() ? null : s.get(0);
        }

        @Override
        public String toString() {
            return id.peerId().toString();
        }
    }

    private final LedgerNode.Settings settings;
    private final RouterParams routerParams;

    /** Fast rounds for tests: sync every 300 ms, heartbeats every 200 ms. */
    BftNet(Path dir) {
        this(dir, settings(), RouterParams.defaults().withHeartbeatInterval(Duration.ofMillis(200)));
    }

    /** Nodes with these settings (the benchmark passes the shipped defaults). */
    BftNet(Path dir, LedgerNode.Settings settings, RouterParams routerParams) {
        this.dir = dir;
        this.settings = settings;
        this.routerParams = routerParams;
    }

    /** A chain of the given validators (power 1 each unless given) with fast timeouts, users funded. */
    static ChainSpec spec(String chainId, List<TestIdentity> validators, List<Long> powers, List<TestIdentity> users) {
        Properties p = new Properties();
        p.setProperty("chain.id", chainId);
        p.setProperty("genesis.time", String.valueOf(System.currentTimeMillis() - 60_000));
        for (TestIdentity u : users) {
            p.setProperty("balance." + u.peerId(), "1000000");
        }
        p.setProperty("consensus.1.engine", "bft");
        List<String> vs = new ArrayList<>();
        for (int i = 0; i < validators.size(); i++) {
            vs.add(validators.get(i).peerId() + ":" + (powers == null ? 1 : powers.get(i)));
        }
        p.setProperty("consensus.1.validators", String.join(",", vs));
        p.setProperty("consensus.1.period", "100");
        p.setProperty("consensus.1.timeout-propose", "600");
        p.setProperty("consensus.1.timeout-prevote", "300");
        p.setProperty("consensus.1.timeout-precommit", "300");
        p.setProperty("consensus.1.timeout-delta", "200");
        p.setProperty("consensus.1.timeout-max", "2000");
        p.setProperty("consensus.1.commit-fallback", "1500");
        return ChainSpec.parse(p, validators.get(0).peerId());
    }

    static LedgerNode.Settings settings() {
        return LedgerNode.Settings.defaults().withSyncIntervalMs(300);
    }

    Peer add(TestIdentity id, ChainSpec spec) throws Exception {
        return add(id, spec, new MemoryDatastore(), false);
    }

    /** Adds a node whose vote log lives in this net's directory under its peer id (so a restart finds it). */
    Peer add(TestIdentity id, ChainSpec spec, MemoryDatastore store, boolean equivocate) throws Exception {
        MemoryNode host = net.node(id);
        Map<String, List<TopicValidator>> validators = new ConcurrentHashMap<>();
        GossipRouter router = new GossipRouter(() -> host, id, routerParams, ScoreParams.defaults(),
                topic -> validators.getOrDefault(topic, List.of()), System::nanoTime).start();
        for (String p : GossipRouter.PROTOCOLS) {
            host.handle(p, router::handleInbound);
        }
        BftEngine engine = new BftEngine(dir.resolve(id.peerId().toString()), equivocate);
        org.hyphae.consensus.poa.internal.CliqueEngine poa = new org.hyphae.consensus.poa.internal.CliqueEngine();
        LedgerNode ledger = new LedgerNode(spec, store, id, () -> host, router,
                n -> "bft".equals(n) ? engine : "poa".equals(n) ? poa : null, settings);
        validators.put(ledger.transactionTopic(), List.of(ledger.transactionValidator()));
        validators.put(ledger.blockTopic(), List.of(ledger.blockValidator()));
        host.handle(LedgerNode.syncProtocol(), ledger::handleSync);
        Peer p = new Peer(id, host, router, ledger, store, engine);
        peers.add(p);
        return p;
    }

    /** A scripted peer: only a GossipSub router on the network, publishing what a test tells it. */
    GossipRouter scripted(TestIdentity id) {
        MemoryNode host = net.node(id);
        GossipRouter router = new GossipRouter(() -> host, id, routerParams, ScoreParams.defaults(), topic -> List.of(),
                System::nanoTime).start();
        for (String p : GossipRouter.PROTOCOLS) {
            host.handle(p, router::handleInbound);
        }
        scriptedHosts.add(host);
        return router;
    }

    final List<MemoryNode> scriptedHosts = new ArrayList<>();

    void connectAll() {
        for (int i = 0; i < peers.size(); i++) {
            for (int j = i + 1; j < peers.size(); j++) {
                net.connect(peers.get(i).host, peers.get(j).host);
            }
        }
    }

    void connect(Peer a, Peer b) {
        net.connect(a.host, b.host);
    }

    /** Stops a node abruptly: its ledger, router and host go, the vote log stays as written. */
    void stop(Peer p) {
        p.ledger.close();
        p.router.close();
        net.remove(p.host);
        peers.remove(p);
    }

    static void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    long minHeight() {
        return peers.stream().mapToLong(p -> p.ledger.height()).min().orElseThrow();
    }

    /** Signs and submits a transfer through a node. */
    static void transfer(Peer via, ChainSpec spec, TestIdentity from, long nonce, PeerId to, long amount) throws Exception {
        Transaction t = Transaction.transfer(spec.chainId(), from.peerId(), nonce, 1, to, amount);
        via.ledger.submit(t.withSignature(from.sign(t.signingBytes()))).toCompletableFuture().get();
    }

    /** Identical blocks at each height up to {@code height}, no transaction twice, nonces in order, supply conserved. */
    static void checkInvariants(List<Peer> peers, long height, long supply) {
        for (long h = 0; h <= height; h++) {
            long at = h;
            Hash expected = peers.get(0).ledger.block(h).orElseThrow().hash();
            for (Peer p : peers) {
                assertEquals(expected, p.ledger.block(h).orElseThrow(() -> new AssertionError(p + " lacks #" + at)).hash(),
                        "block #" + h + " on " + p);
            }
        }
        for (Peer p : peers) {
            assertEquals(supply, p.ledger.totalBalance(), "balances conserved on " + p);
            Set<Hash> seen = new HashSet<>();
            Map<PeerId, Long> nextNonce = new HashMap<>();
            for (long h = 1; h <= p.ledger.height(); h++) {
                for (Transaction t : p.ledger.block(h).orElseThrow().transactions()) {
                    assertTrue(seen.add(t.hash()), "transaction " + t.hash() + " applied twice on " + p);
                    long n = nextNonce.getOrDefault(t.from(), 0L);
                    assertEquals(n, t.nonce(), "nonces in order on " + p);
                    nextNonce.put(t.from(), n + 1);
                }
            }
        }
    }

    static String heights(List<Peer> peers) {
        return peers.stream().map(p -> p.ledger.height() + (p.session() == null ? "" : " (" + p.session().status() + ")"))
                .collect(Collectors.joining("; "));
    }

    @Override
    public void close() {
        for (Peer p : new ArrayList<>(peers)) {
            try {
                stop(p);
            } catch (RuntimeException e) {
                // best effort
            }
        }
        net.close();
    }
}
