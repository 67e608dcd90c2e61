package org.hyphae.discovery.kad.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.hyphae.transport.testkit.MemoryNetwork;
import org.hyphae.transport.testkit.MemoryNode;
import org.hyphae.storage.Datastore;

/** DHT nodes on a {@link MemoryNetwork}, each serving {@code /ipfs/kad/1.0.0}. */
final class KadSim implements AutoCloseable {

    final MemoryNetwork net = new MemoryNetwork().simulateIdentify(true);
    final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "kad-sim");
        t.setDaemon(true);
        return t;
    });
    final List<MemoryNode> nodes = new ArrayList<>();
    final List<KadDht> dhts = new ArrayList<>();
    private final java.util.function.LongSupplier clock;

    KadSim() {
        this(System::currentTimeMillis);
    }

    /** @param clock the time every node sees (tests of expiry move it) */
    KadSim(java.util.function.LongSupplier clock) {
        this(clock, 20, ns -> "pk".equals(ns) ? new PublicKeyValidator() : null);
    }

    private final int k;
    private final java.util.function.Function<String, org.hyphae.discovery.RecordValidator> validators;

    /** @param validators the validator per namespace every node uses */
    KadSim(java.util.function.LongSupplier clock, int k,
            java.util.function.Function<String, org.hyphae.discovery.RecordValidator> validators) {
        this.clock = clock;
        this.k = k;
        this.validators = validators;
    }

    KadDht add() {
        return add(net.node(), () -> null);
    }

    KadDht add(MemoryNode node, Supplier<Datastore> datastore) {
        KadDht d = new KadDht(node, new KadDht.Settings(k, 3, 2_000, false), new RecordStore(datastore),
                validators, executor, clock);
        node.handle(KadDht.PROTOCOL, d::handle);
        nodes.add(node);
        dhts.add(d);
        return d;
    }

    /** Starts {@code n} nodes; each bootstraps from one of the earlier ones. */
    void grow(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            KadDht d = add();
            if (dhts.size() > 1) {
                MemoryNode seed = nodes.get((dhts.size() - 2) / 2);
                d.bootstrap(List.of(seed.listenAddresses().get(0).withPeerId(seed.localPeer())))
                        .toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }
        // A second round of refreshes, as the periodic refresh would do, so early nodes learn late ones.
        for (KadDht d : dhts) {
            d.refresh().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        net.close();
    }
}
