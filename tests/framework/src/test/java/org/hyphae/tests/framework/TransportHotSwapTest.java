package org.hyphae.tests.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.hyphae.identity.PeerId;
import org.hyphae.tests.support.NodeProcess;
import org.hyphae.transport.Connection;
import org.hyphae.transport.ConnectionListener;
import org.hyphae.transport.Host;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.PeerInfo;
import org.hyphae.transport.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * Two nodes with TCP and WebSocket: this framework's node and a second node process. Stopping the
 * TCP transport bundle while a stream is busy closes its connections cleanly; the nodes reconnect
 * over WebSocket without leaking threads or connections; starting TCP again makes new dials use it.
 * A {@link ConnectionListener} service sees each step as an event.
 */
class TransportHotSwapTest {

    private static final String ECHO = "/hyphae-test/echo/1.0.0";

    @InjectBundleContext
    BundleContext context;

    @TempDir
    Path work;

    NodeProcess other;
    PeerId otherId;
    Multiaddr otherTcp;

    @BeforeEach
    void startOtherNode() throws Exception {
        // This test counts the connections between exactly two nodes: no discovery may add any
        // (mDNS would find the other node, and the dialer would connect to it on its own).
        bundle("org.hyphae.discovery.dialer").stop();
        bundle("org.hyphae.discovery.mdns").stop();
        Path home = NodeProcess.copyDistribution(work.resolve("node"));
        Files.writeString(home.resolve("config/org.hyphae.discovery.mdns.cfg"), "enabled=false\n");
        Files.copy(Path.of(context.getProperty("hyphae.test.fixture")), home.resolve("deploy/echo.jar"));
        other = NodeProcess.start(home, work, "--headless", "--port", "0");
        otherId = PeerId.parse(other.awaitLine(l -> l.startsWith("PeerID: "), 60).substring(8).trim());
        String tcp = other.awaitLine(l -> l.startsWith("Swarm listening on /ip4/127.0.0.1/tcp/") && !l.contains("/ws"), 60);
        otherTcp = Multiaddr.parse(tcp.substring("Swarm listening on ".length()).trim());
    }

    @AfterEach
    void stopOtherNode() throws Exception {
        tcpBundle().start();
        bundle("org.hyphae.discovery.mdns").start();
        bundle("org.hyphae.discovery.dialer").start();
        if (other != null) {
            other.terminate(30);
            other.close();
        }
    }

    @Test
    void stoppingTcpMovesThePeerToWebSocketAndStartingItAgainBringsTcpBack(@InjectService Host host) throws Exception {
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        ServiceRegistration<ConnectionListener> listening = context.registerService(ConnectionListener.class,
                new ConnectionListener() {
                    @Override
                    public void connected(Connection connection) {
                        // Only the other node's: a peer an earlier test left in this node's peer store may
                        // be reconnected while the transports swap (seen in full runs of this module).
                        if (connection.remotePeer().equals(otherId)) {
                            events.add("connected " + connection.transport());
                        }
                    }

                    @Override
                    public void identified(PeerInfo info) {
                        if (info.peer().equals(otherId) && info.protocols().contains(ECHO)) {
                            events.add("identified");
                        }
                    }

                    @Override
                    public void disconnected(Connection connection) {
                        if (connection.remotePeer().equals(otherId)) {
                            events.add("disconnected " + connection.transport());
                        }
                    }
                }, null);
        try {
            swapTransports(host);
            awaitTrue(() -> events.stream().filter(e -> e.startsWith("connected")).count() >= 3, 30,
                    "the listener heard of the last connection");
        } finally {
            listening.unregister();
        }
        // Identify may come again (push) at any point after the first; the order of the rest is fixed.
        List<String> transitions = events.stream().filter(e -> !e.equals("identified")).toList();
        assertEquals(List.of("connected tcp", "disconnected tcp", "connected ws", "disconnected ws", "connected tcp"),
                transitions, "connection events in order: " + events);
        assertEquals(1, events.indexOf("identified"), "identified right after the first connection: " + events);
    }

    private void swapTransports(Host host) throws Exception {
        Connection overTcp = host.connect(otherTcp).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals("tcp", overTcp.transport());
        awaitIdentified(host);

        // A busy stream: keep echoing until the transport goes away under it.
        Stream busy = newEchoStream(host);
        AtomicLong echoed = new AtomicLong();
        CompletableFuture<Void> pumping = pump(busy, echoed);
        awaitTrue(() -> echoed.get() > (1 << 20), 30, "the stream moves data before the swap");
        int threadsBefore = tcpThreads();
        assertTrue(threadsBefore > 0, "the TCP transport has I/O threads");

        tcpBundle().stop();

        // The busy stream ends with an error, not a hang; its connection closes.
        pumping.handle((v, e) -> null).get(30, TimeUnit.SECONDS);
        overTcp.closed().toCompletableFuture().get(30, TimeUnit.SECONDS);
        awaitTrue(() -> host.connections(otherId).stream().anyMatch(c -> c.transport().equals("ws")), 30,
                "the host reconnected over WebSocket");
        assertEquals(List.of("ws"), host.connections(otherId).stream().map(Connection::transport).toList());
        assertEquals(0, tcpThreads(), "no TCP I/O thread is left");
        echoCheck(host, 4 << 20);

        tcpBundle().start();
        for (Connection c : host.connections(otherId)) {
            c.close();
            c.closed().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        Connection again = host.connect(otherTcp).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals("tcp", again.transport(), "new dials use TCP once it is back");
        echoCheck(host, 1 << 20);
    }

    private void awaitIdentified(Host host) throws Exception {
        awaitTrue(() -> host.peerInfo(otherId).map(i -> i.protocols().contains(ECHO)).orElse(false), 30,
                "identify of the other node lists the echo protocol");
    }

    private Stream newEchoStream(Host host) throws Exception {
        return host.newStream(otherId, List.of(ECHO)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** Writes random chunks and reads the echo until the stream breaks; counts bytes echoed. */
    private static CompletableFuture<Void> pump(Stream stream, AtomicLong echoed) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        byte[] chunk = new byte[32 * 1024];
        new Random(1).nextBytes(chunk);
        Thread writer = new Thread(() -> {
            try {
                while (!done.isDone()) {
                    stream.write(ByteBuffer.wrap(chunk)).toCompletableFuture().get(30, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                done.completeExceptionally(e);
            }
        }, "echo-writer");
        Thread reader = new Thread(() -> {
            try {
                while (true) {
                    Optional<ByteBuffer> read = stream.read().toCompletableFuture().get(30, TimeUnit.SECONDS);
                    if (read.isEmpty()) {
                        done.complete(null);
                        return;
                    }
                    echoed.addAndGet(read.get().remaining());
                }
            } catch (Exception e) {
                done.completeExceptionally(e);
            }
        }, "echo-reader");
        writer.setDaemon(true);
        reader.setDaemon(true);
        writer.start();
        reader.start();
        return done;
    }

    private void echoCheck(Host host, int size) throws Exception {
        Stream stream = newEchoStream(host);
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
            ByteBuffer all = ByteBuffer.allocate(size);
            try {
                while (true) {
                    Optional<ByteBuffer> read = stream.read().toCompletableFuture().get(30, TimeUnit.SECONDS);
                    if (read.isEmpty()) {
                        return Arrays.copyOf(all.array(), all.position());
                    }
                    all.put(read.get());
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        for (int offset = 0; offset < size; offset += 64 * 1024) {
            stream.write(ByteBuffer.wrap(data, offset, Math.min(64 * 1024, size - offset)))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        stream.closeWrite().toCompletableFuture().get(30, TimeUnit.SECONDS);
        byte[] back = received.get(60, TimeUnit.SECONDS);
        assertNotNull(back);
        assertTrue(Arrays.equals(data, back), "echo returned the same " + size + " bytes");
    }

    private Bundle tcpBundle() {
        return bundle("org.hyphae.transport.tcp");
    }

    private Bundle bundle(String symbolicName) {
        return Arrays.stream(context.getBundles())
                .filter(b -> symbolicName.equals(b.getSymbolicName())).findFirst().orElseThrow();
    }

    private static int tcpThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("hyphae-tcp")).count();
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, int seconds, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(50);
        }
    }
}
