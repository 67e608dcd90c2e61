package org.hyphae.exchange.bitswap.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.hyphae.discovery.ContentRouting;
import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.multiformats.Multihash;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.memory.MemoryBlockStore;
import org.hyphae.transport.testkit.MemoryNetwork;
import org.hyphae.transport.testkit.MemoryNode;

/** Bitswap nodes on a {@link MemoryNetwork}, each with its own memory block store. */
final class SwarmSim implements AutoCloseable {

    record Peer(MemoryNode node, MemoryBlockStore store, Bitswap bitswap) {
    }

    final MemoryNetwork net = new MemoryNetwork().simulateIdentify(true);
    final ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "bitswap-sim");
        t.setDaemon(true);
        return t;
    });
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bitswap-sim-timer");
        t.setDaemon(true);
        return t;
    });
    final List<Peer> peers = new ArrayList<>();

    Peer add(Bitswap.Settings settings) {
        return add(settings, null);
    }

    Peer add(Bitswap.Settings settings, ContentRouting routing) {
        return add(settings, routing, store -> store);
    }

    /** A peer whose Bitswap stores through {@code wrap} of its memory store (for slow or failing stores). */
    Peer add(Bitswap.Settings settings, ContentRouting routing, java.util.function.UnaryOperator<BlockStore> wrap) {
        MemoryNode node = net.node();
        MemoryBlockStore store = new MemoryBlockStore();
        BlockStore used = wrap.apply(store);
        Bitswap b = new Bitswap(node, () -> used, () -> routing, executor, timer, settings);
        for (String p : Bitswap.PROTOCOLS) {
            node.handle(p, b::handle);
        }
        Peer peer = new Peer(node, store, b);
        peers.add(peer);
        return peer;
    }

    /** Fast timings for tests: stalls after 600 ms, wants fail after 20 s. */
    static Bitswap.Settings quick() {
        return quick(600, 20_000);
    }

    /** {@link #quick()} with another stall time and want deadline. */
    static Bitswap.Settings quick(long stallMillis, long wantTimeoutMillis) {
        Bitswap.Settings d = Bitswap.Settings.defaults();
        return new Bitswap.Settings(d.maxMessageBytes(), d.maxOutMessageBytes(), d.maxWantlistEntries(),
                d.maxBytesInFlight(), d.maxBytesInFlightPerPeer(), 8, stallMillis, wantTimeoutMillis, 500, 2_000,
                d.banThreshold(), d.banMillis(), 0);
    }

    /** Random raw blocks. */
    static List<byte[]> blocks(int count, int size, long seed) {
        Random r = new Random(seed);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] b = new byte[size];
            r.nextBytes(b);
            out.add(b);
        }
        return out;
    }

    static Cid cid(byte[] data) {
        return Cid.v1(Multicodec.RAW, Multihash.sha2_256(data));
    }

    static void seed(Peer peer, List<byte[]> blocks) throws Exception {
        for (byte[] b : blocks) {
            peer.store().put(cid(b), b);
        }
    }

    @Override
    public void close() {
        for (Peer p : peers) {
            p.bitswap().stop();
        }
        timer.shutdownNow();
        executor.shutdownNow();
        net.close();
    }
}
