package org.hyphae.ledger.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import org.hyphae.consensus.ConsensusEngine;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.pubsub.TopicValidator;
import org.hyphae.pubsub.gossipsub.internal.GossipRouter;
import org.hyphae.pubsub.gossipsub.internal.RouterParams;
import org.hyphae.pubsub.gossipsub.internal.ScoreParams;
import org.hyphae.storage.memory.MemoryDatastore;
import org.hyphae.transport.testkit.MemoryNetwork;
import org.hyphae.transport.testkit.MemoryNode;
import org.hyphae.transport.testkit.TestIdentity;

/** Ledger nodes on an in-memory network, each with the real GossipSub router and its own datastore. */
final class TestNet implements AutoCloseable {

    final MemoryNetwork net = new MemoryNetwork().simulateIdentify(true);
    final List<Peer> peers = new ArrayList<>();
    private final LedgerNode.Settings settings;
    private final RouterParams routerParams;

    /** Fast rounds for tests: sync every 300 ms, heartbeats every 200 ms. */
    TestNet() {
        this(settings(), RouterParams.defaults().withHeartbeatInterval(Duration.ofMillis(200)));
    }

    /** Nodes with these settings (benchmarks pass the shipped defaults: a node's real sync and rebroadcast cost). */
    TestNet(LedgerNode.Settings settings, RouterParams routerParams) {
        this.settings = settings;
        this.routerParams = routerParams;
    }

    /** One node: host, router, ledger. */
    static final class Peer {
        final MemoryNode host;
        final GossipRouter router;
        final LedgerNode ledger;
        final MemoryDatastore store;

        Peer(MemoryNode host, GossipRouter router, LedgerNode ledger, MemoryDatastore store) {
            this.host = host;
            this.router = router;
            this.ledger = ledger;
            this.store = store;
        }
    }

    static LedgerNode.Settings settings() {
        return LedgerNode.Settings.defaults().withSyncIntervalMs(300);
    }

    Peer add(TestIdentity id, ChainSpec spec, Function<String, ConsensusEngine> engines) throws Exception {
        return add(id, spec, engines, new MemoryDatastore());
    }

    Peer add(TestIdentity id, ChainSpec spec, Function<String, ConsensusEngine> engines, MemoryDatastore store) throws Exception {
        MemoryNode host = net.node(id);
        Map<String, List<TopicValidator>> validators = new ConcurrentHashMap<>();
        GossipRouter router = new GossipRouter(() -> host, id, routerParams, ScoreParams.defaults(),
                topic -> validators.getOrDefault(topic, List.of()), System::nanoTime).start();
        for (String p : GossipRouter.PROTOCOLS) {
            host.handle(p, router::handleInbound);
        }
        LedgerNode ledger = new LedgerNode(spec, store, id, () -> host, router, engines, settings);
        validators.put(ledger.transactionTopic(), List.of(ledger.transactionValidator()));
        validators.put(ledger.blockTopic(), List.of(ledger.blockValidator()));
        host.handle(LedgerNode.syncProtocol(), ledger::handleSync);
        Peer p = new Peer(host, router, ledger, store);
        peers.add(p);
        return p;
    }

    void connect(Peer a, Peer b) {
        net.connect(a.host, b.host);
    }

    void meshAll() {
        for (int i = 0; i < peers.size(); i++) {
            for (int j = i + 1; j < peers.size(); j++) {
                connect(peers.get(i), peers.get(j));
            }
        }
    }

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
