package org.hyphae.pubsub.gossipsub.internal;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.hyphae.pubsub.Message;
import org.hyphae.pubsub.TopicValidator;
import org.hyphae.transport.testkit.MemoryNetwork;
import org.hyphae.transport.testkit.MemoryNode;
import org.hyphae.transport.testkit.TestIdentity;
import org.hyphae.multiformats.Varint;
import org.hyphae.transport.Stream;

/**
 * A router-level simulation: gossipsub routers on in-memory hosts ({@link MemoryNetwork}, which
 * enforces the Stream contract: EOF, reset, backpressure), a shared fake clock, and heartbeats
 * driven by the test.
 */
final class Sim implements AutoCloseable {

    final MemoryNetwork net = new MemoryNetwork();
    final AtomicLong clock = new AtomicLong(1_000_000_000_000L);
    final List<Node> nodes = new ArrayList<>();

    /** A router with its host and what it delivered. */
    static final class Node {
        final MemoryNode host;
        final GossipRouter router;
        final List<Message> received = new CopyOnWriteArrayList<>();
        /** This node's topic validators (the whiteboard, in a map). */
        final Map<String, List<TopicValidator>> validators;

        Node(MemoryNode host, GossipRouter router, Map<String, List<TopicValidator>> validators) {
            this.host = host;
            this.router = router;
            this.validators = validators;
        }

        void subscribe(String topic) {
            router.subscribe(topic, received::add);
        }

        long count(String topic) {
            return received.stream().filter(m -> m.topic().equals(topic)).count();
        }
    }

    static RouterParams manualParams() {
        return RouterParams.defaults().withHeartbeatInterval(Duration.ZERO);
    }

    Node node() {
        return node(manualParams(), ScoreParams.defaults());
    }

    Node node(RouterParams params, ScoreParams score) {
        return node(params, score, null);
    }

    /** A router whose signature checks run on {@code verifiers} (null: its own threads). */
    Node node(RouterParams params, ScoreParams score, java.util.concurrent.Executor verifiers) {
        MemoryNode host = net.node();
        Map<String, List<TopicValidator>> validators = new ConcurrentHashMap<>();
        GossipRouter router = new GossipRouter(() -> host, host.identity(), params, score,
                topic -> validators.getOrDefault(topic, List.of()), clock::get, verifiers).start();
        for (String p : GossipRouter.PROTOCOLS) {
            host.handle(p, router::handleInbound);
        }
        Node n = new Node(host, router, validators);
        nodes.add(n);
        return n;
    }

    void connect(Node a, Node b) {
        net.connect(a.host, b.host);
    }

    /** Connects every node to {@code degree} others at random (plus a ring, so the graph is connected). */
    void connectRandom(int degree, long seed) {
        Random rnd = new Random(seed);
        int n = nodes.size();
        java.util.Set<String> done = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            link(done, i, (i + 1) % n);
        }
        for (int i = 0; i < n; i++) {
            int tries = 0;
            while (degreeOf(done, i) < degree && tries++ < 100) {
                link(done, i, rnd.nextInt(n));
            }
        }
    }

    private void link(java.util.Set<String> done, int i, int j) {
        if (i == j) {
            return;
        }
        String key = Math.min(i, j) + "-" + Math.max(i, j);
        if (done.add(key)) {
            connect(nodes.get(i), nodes.get(j));
        }
    }

    private static int degreeOf(java.util.Set<String> done, int i) {
        int d = 0;
        for (String k : done) {
            String[] p = k.split("-");
            if (Integer.parseInt(p[0]) == i || Integer.parseInt(p[1]) == i) {
                d++;
            }
        }
        return d;
    }

    /** Advances the clock and runs a heartbeat on every router, then lets the traffic settle. */
    void heartbeats(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
            for (Node node : nodes) {
                node.router.heartbeatNow().get(5, TimeUnit.SECONDS);
            }
            settle();
        }
    }

    void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    /** Lets queued I/O and router work run out (a few rounds of both). */
    void settle() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (int i = 0; i < 6; i++) {
            net.settle();
            for (Node node : nodes) {
                node.router.call(() -> null).get(5, TimeUnit.SECONDS);
                // Signatures are checked on other threads: wait for their verdicts too.
                while (node.router.validating().get(5, TimeUnit.SECONDS) > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
            }
        }
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    /** Frames an RPC for writing to a stream. */
    static ByteBuffer frame(Rpc rpc) {
        return frame(rpc.encode());
    }

    static ByteBuffer frame(byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(Varint.encodedLength(body.length) + body.length);
        Varint.writeTo(body.length, b);
        return b.put(body).flip();
    }

    /**
     * A misbehaving peer: a bare host that speaks the wire format by hand. It accepts the victim's
     * pubsub stream (recording what the victim sends) and writes whatever frames a test gives it.
     */
    final class Rogue {
        final MemoryNode host = net.node();
        final TestIdentity identity = host.identity();
        final List<Rpc> receivedRpcs = new CopyOnWriteArrayList<>();
        Stream out;

        Rogue() {
            for (String p : GossipRouter.PROTOCOLS) {
                host.handle(p, this::accept);
            }
        }

        private void accept(Stream s) {
            org.hyphae.transport.streamio.StreamReader r =
                    new org.hyphae.transport.streamio.StreamReader(s);
            org.hyphae.transport.streamio.AsyncLoop.<Boolean>run(() -> r.readLengthPrefixed(8 << 20)
                    .thenApply(f -> {
                        if (f.isEmpty()) {
                            return Optional.of(true);
                        }
                        try {
                            receivedRpcs.add(Rpc.decode(f.get(), Rpc.Limits.DEFAULT));
                        } catch (java.io.IOException e) {
                            throw new java.util.concurrent.CompletionException(e);
                        }
                        return Optional.<Boolean>empty();
                    }));
        }

        /** Connects to the victim and opens the rogue's own pubsub stream to it. */
        void attach(Node victim) throws Exception {
            var c = net.connect(host, victim.host);
            out = c.newStream(List.of(GossipRouter.MESHSUB_11)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        }

        /** Like {@link #attach(Node)}, but the victim dials: the connection is outbound for it. */
        void attachDialledBy(Node victim) throws Exception {
            var c = net.connect(victim.host, host);
            out = c.peer().newStream(List.of(GossipRouter.MESHSUB_11)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        }

        void send(Rpc rpc) throws Exception {
            send(rpc.encode());
        }

        void send(byte[] body) throws Exception {
            out.write(frame(body)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        }

        /** A correctly signed message by this rogue (StrictSign). */
        Rpc.WireMessage signed(String topic, byte[] data, long seq) {
            byte[] from = identity.peerId().bytes();
            byte[] seqno = ByteBuffer.allocate(8).putLong(seq).array();
            Rpc.WireMessage unsigned = new Rpc.WireMessage(from, data, seqno, topic, null, null);
            byte[] toSign = concat("libp2p-pubsub:".getBytes(), unsigned.encode());
            return new Rpc.WireMessage(from, data, seqno, topic, identity.sign(toSign), null);
        }

        long prunesReceived() {
            return receivedRpcs.stream().filter(r -> r.control() != null).mapToLong(r -> r.control().prune().size()).sum();
        }

        long iwantIdsReceived() {
            return receivedRpcs.stream().filter(r -> r.control() != null)
                    .flatMap(r -> r.control().iwant().stream()).mapToLong(w -> w.messageIds().size()).sum();
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        for (Node n : nodes) {
            n.router.close();
        }
        net.close();
    }
}
