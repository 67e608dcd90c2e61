package org.hyphae.host.internal.ping;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.hyphae.transport.streamio.AsyncLoop;
import org.hyphae.transport.testkit.MemoryConnection;
import org.hyphae.transport.testkit.MemoryNetwork;
import org.hyphae.transport.testkit.MemoryNode;
import org.hyphae.transport.testkit.MemoryStream;
import org.hyphae.transport.streamio.StreamReader;
import org.hyphae.transport.Ping;
import org.hyphae.transport.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PingServiceTest {

    private final MemoryNetwork network = new MemoryNetwork();
    private final MemoryNode client = network.node();
    private final MemoryNode server = network.node();

    @AfterEach
    void close() {
        assertEquals(List.of(), network.violations());
        network.close();
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    static Throwable failure(CompletionStage<?> stage) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> stage.toCompletableFuture().get(5, TimeUnit.SECONDS));
        return AsyncLoop.unwrap(e);
    }

    private PingService serve(int maxInbound) {
        PingService s = new PingService(server, Duration.ofSeconds(5), maxInbound);
        server.handle(Ping.PROTOCOL, s);
        return s;
    }

    @Test
    void pingMeasuresTheRoundTripAndClosesTheStream() throws Exception {
        serve(2);
        MemoryConnection c = network.connect(client, server);
        PingService ping = new PingService(client, Duration.ofSeconds(5), 2);
        Duration rtt = await(ping.ping(server.localPeer()));
        assertTrue(!rtt.isNegative() && rtt.compareTo(Duration.ofSeconds(5)) < 0, rtt.toString());
        network.settle();
        assertEquals(List.of(), c.streams(), "the ping stream is closed on our side");
        assertEquals(List.of(), c.peer().streams(), "and on the server's");
    }

    @Test
    void concurrentPingsToOnePeerUseOneStreamAtATime() throws Exception {
        serve(1); // a second concurrent stream would be reset
        network.connect(client, server);
        PingService ping = new PingService(client, Duration.ofSeconds(5), 2);
        List<CompletionStage<Duration>> pings = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            pings.add(ping.ping(server.localPeer()));
        }
        for (CompletionStage<Duration> p : pings) {
            await(p);
        }
    }

    @Test
    void serverEchoesManyPayloadsOnOneStreamUntilTheClientCloses() throws Exception {
        serve(2);
        MemoryConnection c = network.connect(client, server);
        Stream s = await(c.newStream(List.of(Ping.PROTOCOL)));
        StreamReader r = new StreamReader(s);
        for (int i = 0; i < 3; i++) {
            byte[] payload = new byte[32];
            payload[0] = (byte) i;
            await(s.write(ByteBuffer.wrap(payload.clone())));
            assertArrayEquals(payload, await(r.readExactly(32, "echo")));
        }
        await(s.closeWrite());
        await(r.expectEnd("echoes"));
        await(s.closed());
    }

    @Test
    void serverEchoesPayloadsSplitAcrossReads() throws Exception {
        network.readChunkLimit(5);
        serve(2);
        network.connect(client, server);
        assertTrue(!await(new PingService(client, Duration.ofSeconds(5), 2).ping(server.localPeer())).isNegative());
    }

    @Test
    void wrongEchoFails() throws Exception {
        server.handle(Ping.PROTOCOL, stream -> new StreamReader(stream).readExactly(32, "payload").thenAccept(p -> {
            p[7] ^= 1;
            stream.write(ByteBuffer.wrap(p)).thenCompose(v -> stream.closeWrite());
        }));
        network.connect(client, server);
        Throwable t = failure(new PingService(client, Duration.ofSeconds(5), 2).ping(server.localPeer()));
        assertInstanceOf(IOException.class, t);
        assertTrue(t.getMessage().contains("echoed other bytes") && t.getMessage().contains(server.localPeer().toString()),
                t.getMessage());
    }

    @Test
    void silentPeerTimesOutAndTheStreamIsReset() throws Exception {
        CompletableFuture<Stream> inbound = new CompletableFuture<>();
        server.handle(Ping.PROTOCOL, inbound::complete);
        network.connect(client, server);
        Throwable t = failure(new PingService(client, Duration.ofMillis(200), 2).ping(server.localPeer()));
        assertInstanceOf(TimeoutException.class, t);
        assertTrue(t.getMessage().contains("no echo within 200 ms"), t.getMessage());
        network.settle();
        assertTrue(((MemoryStream) inbound.get()).isReset());
    }

    @Test
    void pingToAPeerWithoutTheProtocolFails() throws Exception {
        network.connect(client, server);
        Throwable t = failure(new PingService(client, Duration.ofSeconds(5), 2).ping(server.localPeer()));
        assertInstanceOf(org.hyphae.transport.ProtocolNotSupportedException.class, t);
    }

    @Test
    void pingToAnUnconnectedPeerFails() {
        Throwable t = failure(new PingService(client, Duration.ofSeconds(5), 2).ping(server.localPeer()));
        assertTrue(t.getMessage().contains("not connected"), t.getMessage());
    }

    @Test
    void pingWithoutAHostFailsAtOnce() {
        Throwable t = failure(new PingService(null, Duration.ofSeconds(5), 2).ping(server.localPeer()));
        assertTrue(t.getMessage().contains("no Host service"), t.getMessage());
    }

    @Test
    void streamsBeyondTheLimitPerPeerAreReset() throws Exception {
        serve(2);
        MemoryConnection c = network.connect(client, server);
        Stream a = await(c.newStream(List.of(Ping.PROTOCOL)));
        Stream b = await(c.newStream(List.of(Ping.PROTOCOL)));
        Stream third = await(c.newStream(List.of(Ping.PROTOCOL)));
        network.settle();
        assertTrue(((MemoryStream) third).isReset());
        assertTrue(!((MemoryStream) a).isReset() && !((MemoryStream) b).isReset());
        // Closing one frees a slot.
        await(a.closeWrite());
        await(new StreamReader(a).expectEnd("nothing"));
        network.settle();
        Stream fourth = await(c.newStream(List.of(Ping.PROTOCOL)));
        network.settle();
        assertTrue(!((MemoryStream) fourth).isReset());
    }

    @Test
    void partialPayloadThenEndResetsTheStream() throws Exception {
        serve(2);
        MemoryConnection c = network.connect(client, server);
        Stream s = await(c.newStream(List.of(Ping.PROTOCOL)));
        await(s.write(ByteBuffer.allocate(10)));
        await(s.closeWrite());
        Throwable t = failure(s.read());
        assertTrue(t.getMessage().contains("reset"), t.getMessage());
    }

    @Test
    void manyPingsInARowAllSucceed() throws Exception {
        serve(2);
        network.connect(client, server);
        PingService ping = new PingService(client, Duration.ofSeconds(5), 2);
        AtomicInteger ok = new AtomicInteger();
        for (int i = 0; i < 200; i++) {
            await(ping.ping(server.localPeer()));
            ok.incrementAndGet();
        }
        assertEquals(200, ok.get());
    }
}
