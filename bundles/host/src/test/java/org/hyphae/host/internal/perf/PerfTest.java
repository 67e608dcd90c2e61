package org.hyphae.host.internal.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.hyphae.transport.streamio.AsyncLoop;
import org.hyphae.transport.testkit.ForwardingHost;
import org.hyphae.transport.testkit.ForwardingStream;
import org.hyphae.transport.testkit.MemoryConnection;
import org.hyphae.transport.testkit.MemoryNetwork;
import org.hyphae.transport.testkit.MemoryNode;
import org.hyphae.transport.testkit.MemoryStream;
import org.hyphae.transport.streamio.StreamReader;
import org.hyphae.transport.Perf;
import org.hyphae.transport.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PerfTest {

    private static final int WINDOW = 256 * 1024;
    private final MemoryNetwork network = new MemoryNetwork().window(WINDOW);
    private final MemoryNode client = network.node();
    private final MemoryNode server = network.node();

    @AfterEach
    void close() {
        assertEquals(List.of(), network.violations());
        network.close();
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static Throwable failure(CompletionStage<?> stage) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> stage.toCompletableFuture().get(10, TimeUnit.SECONDS));
        return AsyncLoop.unwrap(e);
    }

    /** Records the server's streams so tests can check what it wrote. */
    private final List<MemoryStream> serverStreams = new java.util.concurrent.CopyOnWriteArrayList<>();

    private void serve(Set<org.hyphae.identity.PeerId> allowed) {
        PerfServer perf = new PerfServer(allowed, 64 * 1024);
        server.handle(Perf.PROTOCOL, s -> {
            serverStreams.add((MemoryStream) s);
            perf.handle(s);
        });
    }

    @Test
    void uploadsAndDownloadsTheRequestedBytes() throws Exception {
        serve(Set.of());
        MemoryConnection c = network.connect(client, server);
        Perf.Result r = await(new PerfClient(client, 64 * 1024).measure(server.localPeer(), 3_000_000, 5_000_000));
        assertEquals(3_000_000, r.uploaded());
        assertEquals(5_000_000, r.downloaded());
        assertTrue(!r.upload().isNegative() && r.total().compareTo(r.upload()) >= 0, r.toString());
        assertEquals(5_000_000, serverStreams.get(0).bytesWritten());
        // Backpressure: neither side ever had more than the window plus one write in flight.
        assertTrue(serverStreams.get(0).maxQueuedOutbound() <= WINDOW + 64 * 1024);
        network.settle();
        assertEquals(List.of(), c.streams());
    }

    @Test
    void zeroBytesBothWaysIsValid() throws Exception {
        serve(Set.of());
        network.connect(client, server);
        Perf.Result r = await(new PerfClient(client, 64 * 1024).measure(server.localPeer(), 0, 0));
        assertEquals(0, r.uploaded());
        assertEquals(0, r.downloaded());
    }

    @Test
    void serverWaitsForTheEndOfTheUploadBeforeSending() throws Exception {
        serve(Set.of());
        MemoryConnection c = network.connect(client, server);
        Stream s = await(c.newStream(List.of(Perf.PROTOCOL)));
        await(s.write(ByteBuffer.allocate(8).putLong(0, 1000)));
        await(s.write(ByteBuffer.allocate(5000)));
        network.settle();
        assertEquals(0, serverStreams.get(0).bytesWritten(), "sent while the upload was still open");
        await(s.closeWrite());
        StreamReader r = new StreamReader(s);
        assertEquals(1000L, await(r.drain()));
    }

    @Test
    void aSlowReaderHoldsTheServerBack() throws Exception {
        serve(Set.of());
        MemoryConnection c = network.connect(client, server);
        Stream s = await(c.newStream(List.of(Perf.PROTOCOL)));
        await(s.write(ByteBuffer.allocate(8).putLong(0, 100L * 1024 * 1024)));
        await(s.closeWrite());
        network.settle();
        Thread.sleep(50);
        network.settle();
        long sent = serverStreams.get(0).bytesWritten();
        assertTrue(sent <= WINDOW + 64 * 1024, "server wrote " + sent + " bytes nobody read");
        s.reset();
    }

    @Test
    void maxUint64MeansSendUntilTheClientGivesUp() throws Exception {
        serve(Set.of());
        MemoryConnection c = network.connect(client, server);
        Stream s = await(c.newStream(List.of(Perf.PROTOCOL)));
        await(s.write(ByteBuffer.allocate(8).putLong(0, -1L)));
        await(s.closeWrite());
        StreamReader r = new StreamReader(s);
        long got = 0;
        while (got < 2_000_000) {
            got += await(r.readSome()).orElseThrow().remaining();
        }
        s.reset();
        network.settle();
        assertTrue(serverStreams.get(0).isReset());
    }

    @Test
    void shortResponseFails() throws Exception {
        server.handle(Perf.PROTOCOL, s -> new StreamReader(s).readExactly(8, "header").thenCompose(h -> new StreamReader(s)
                .drain()).thenCompose(n -> s.write(ByteBuffer.allocate(10))).thenCompose(v -> s.closeWrite()));
        network.connect(client, server);
        Throwable t = failure(new PerfClient(client, 64 * 1024).measure(server.localPeer(), 0, 100));
        assertInstanceOf(EOFException.class, t);
        assertTrue(t.getMessage().contains("after 10 of the 100 bytes"), t.getMessage());
    }

    @Test
    void longResponseFails() throws Exception {
        server.handle(Perf.PROTOCOL, s -> new StreamReader(s).readExactly(8, "header").thenCompose(h -> new StreamReader(s)
                .drain()).thenCompose(n -> s.write(ByteBuffer.allocate(200))).thenCompose(v -> s.closeWrite()));
        network.connect(client, server);
        Throwable t = failure(new PerfClient(client, 64 * 1024).measure(server.localPeer(), 0, 100));
        assertInstanceOf(IOException.class, t);
        assertTrue(t.getMessage().contains("100 were asked for"), t.getMessage());
    }

    @Test
    void truncatedRequestResetsTheStream() throws Exception {
        serve(Set.of());
        MemoryConnection c = network.connect(client, server);
        Stream s = await(c.newStream(List.of(Perf.PROTOCOL)));
        await(s.write(ByteBuffer.allocate(3)));
        await(s.closeWrite());
        assertTrue(failure(s.read()).getMessage().contains("reset"));
    }

    @Test
    void peersOutsideTheAllowListAreRefused() throws Exception {
        serve(Set.of(network.node().localPeer()));
        network.connect(client, server);
        Throwable t = failure(new PerfClient(client, 64 * 1024).measure(server.localPeer(), 10, 10));
        assertTrue(t.getMessage().contains("reset"), t.getMessage());
    }

    @Test
    void allowedPeerIsServed() throws Exception {
        serve(Set.of(client.localPeer()));
        network.connect(client, server);
        assertEquals(10, await(new PerfClient(client, 64 * 1024).measure(server.localPeer(), 10, 10)).downloaded());
    }

    @Test
    void negativeCountsAreRejected() {
        assertInstanceOf(IllegalArgumentException.class,
                failure(new PerfClient(client, 64 * 1024).measure(server.localPeer(), -1, 0)));
    }

    @Test
    void writesAreReadOnlySoTheHostMustCopy() throws Exception {
        CompletableFuture<Boolean> readOnly = new CompletableFuture<>();
        server.handle(Perf.PROTOCOL, s -> new StreamReader(s).drain().thenCompose(n -> s.closeWrite()));
        MemoryNode spy = client;
        network.connect(spy, server);
        // Wrap the client's host so the test sees the buffers handed to write().
        org.hyphae.transport.Host host = new ForwardingHost(spy) {
            @Override
            public CompletionStage<Stream> newStream(org.hyphae.identity.PeerId peer, List<String> protocols) {
                return super.newStream(peer, protocols).thenApply(s -> new ForwardingStream(s) {
                    @Override
                    public CompletionStage<Void> write(ByteBuffer data) {
                        if (data.capacity() > 8) {
                            readOnly.complete(data.isReadOnly());
                        }
                        return super.write(data);
                    }
                });
            }
        };
        await(new PerfClient(host, 64 * 1024).measure(server.localPeer(), 100_000, 0));
        assertTrue(readOnly.get());
    }
}
