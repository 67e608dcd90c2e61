package org.hyphae.transport.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.hyphae.transport.Multiaddr;

/**
 * In-memory peers, connections and streams for protocol tests: a test double of the host that
 * honours the API contract of {@link org.hyphae.transport.Stream} (ordered bytes, half-close and
 * end of stream, reset, flow control with a receive window) without sockets, Noise or yamux.
 *
 * <p>Completions that a real host would deliver from its event loop (a read waiting for data, a
 * write waiting for window, a new inbound stream) run on one "I/O" thread, so code under test
 * sees the same threading as in production. Reads of buffered data and writes that fit the window
 * complete at once, as they would in a real host.
 *
 * <p>Strict about the contract's "one at a time" rules: a second {@code read()} while one is
 * pending, or a {@code write()} while the previous write has not completed (ignoring
 * backpressure), fails and is recorded in {@link #violations()}.
 */
public final class MemoryNetwork implements AutoCloseable {

    private static final AtomicInteger PORTS = new AtomicInteger(40000);

    final ExecutorService io;
    final List<String> violations = new ArrayList<>();
    private final java.util.Map<Multiaddr, MemoryNode> nodes = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean simulateIdentify;

    /**
     * Makes each new connection give both sides the other's {@link org.hyphae.transport.PeerInfo}
     * at once, as identify would, for tests of protocols that look peers up by what they serve.
     */
    public MemoryNetwork simulateIdentify(boolean on) {
        this.simulateIdentify = on;
        return this;
    }
    private volatile int window = 256 * 1024;
    private volatile int readChunkLimit = Integer.MAX_VALUE;
    private volatile Thread ioThread;

    public MemoryNetwork() {
        io = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "memory-io");
            t.setDaemon(true);
            ioThread = t;
            return t;
        });
    }

    /** Sets each stream direction's receive window in bytes (default 256 KiB). */
    public MemoryNetwork window(int bytes) {
        this.window = bytes;
        return this;
    }

    /** Splits what a read returns into chunks of at most this many bytes (default: no limit). */
    public MemoryNetwork readChunkLimit(int bytes) {
        this.readChunkLimit = bytes;
        return this;
    }

    int window() {
        return window;
    }

    int readChunkLimit() {
        return readChunkLimit;
    }

    /** Whether the caller runs on this network's I/O thread. */
    public boolean onIoThread() {
        return Thread.currentThread() == ioThread;
    }

    /** A new peer with a random identity listening on a 127.0.0.1 TCP address. */
    public MemoryNode node() {
        return node(TestIdentity.random());
    }

    /** A new peer with the given identity. */
    public MemoryNode node(TestIdentity identity) {
        MemoryNode n = new MemoryNode(this, identity,
                Multiaddr.parse("/ip4/127.0.0.1/tcp/" + PORTS.incrementAndGet()));
        nodes.put(n.listenAddresses().get(0), n);
        return n;
    }

    /** The node listening on an address, if any (for {@link MemoryNode#connect}). */
    MemoryNode nodeAt(Multiaddr address) {
        return nodes.get(address);
    }

    /** Takes a node off the network: it can no longer be dialled and its connections close. */
    public void remove(MemoryNode node) {
        nodes.values().remove(node);
        for (org.hyphae.transport.Connection c : node.connections()) {
            c.close();
        }
    }

    /**
     * Connects two peers.
     *
     * @return the dialler's (outbound) side of the new connection; its {@code peer()} is the other
     */
    public MemoryConnection connect(MemoryNode dialler, MemoryNode listener) {
        Multiaddr diallerAddr = Multiaddr.parse("/ip4/127.0.0.1/tcp/" + PORTS.incrementAndGet());
        MemoryConnection out = new MemoryConnection(this, dialler, listener,
                org.hyphae.transport.Direction.OUTBOUND, diallerAddr, listener.listenAddresses().get(0));
        MemoryConnection in = new MemoryConnection(this, listener, dialler,
                org.hyphae.transport.Direction.INBOUND, listener.listenAddresses().get(0), diallerAddr);
        out.peer = in;
        in.peer = out;
        dialler.add(out);
        listener.add(in);
        if (simulateIdentify) {
            // What identify would have told each side.
            dialler.putPeerInfo(new org.hyphae.transport.PeerInfo(listener.localPeer(), "memory", "ipfs/0.1.0",
                    listener.listenAddresses(), listener.protocols(), java.util.Optional.empty()));
            listener.putPeerInfo(new org.hyphae.transport.PeerInfo(dialler.localPeer(), "memory", "ipfs/0.1.0",
                    dialler.listenAddresses(), dialler.protocols(), java.util.Optional.empty()));
        }
        return out;
    }

    /** Contract violations seen so far (concurrent reads, writes ignoring backpressure). */
    public synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    synchronized void violation(String what) {
        violations.add(what);
    }

    /** Waits until every task queued on the I/O thread so far has run. */
    public void settle() throws Exception {
        for (int i = 0; i < 10; i++) {
            io.submit(() -> { }).get(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        io.shutdownNow();
    }
}
