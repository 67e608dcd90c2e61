package org.hyphae.host.internal.upgrade;

import org.hyphae.transport.testkit.TestIdentity;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.hyphae.host.internal.noise.PeerIdMismatchException;
import org.hyphae.transport.testkit.TestIdentity;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Direction;
import org.hyphae.transport.ProtocolNotSupportedException;
import org.hyphae.transport.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two upgraders over a real TCP socket pair on 127.0.0.1. */
class LoopbackUpgradeTest {

    static final String SINK = "/test/sink/1.0.0";
    static final String ECHO = "/test/echo/1.0.0";
    static final int SIZE = 64 * 1024 * 1024;
    static final int CHUNK = 256 * 1024;

    private final TestIdentity serverId = TestIdentity.random();
    private final TestIdentity clientId = TestIdentity.random();
    private LoopbackPeers peers;

    /** Server side: the sink hashes what it reads and answers the digest; echo sends it back. */
    private final InboundStreams serverStreams = new InboundStreams() {
        @Override
        public Set<String> protocols() {
            return Set.of(SINK, ECHO);
        }

        @Override
        public void accept(Stream stream) {
            if (stream.protocol().equals(SINK)) {
                sink(stream, sha256(), 0);
            } else {
                echo(stream);
            }
        }
    };

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sink(Stream stream, MessageDigest digest, long total) {
        stream.read().whenComplete((data, error) -> {
            if (error != null) {
                stream.reset();
            } else if (data.isPresent()) {
                ByteBuffer b = data.get();
                long n = total + b.remaining();
                digest.update(b);
                sink(stream, digest, n);
            } else {
                stream.write(ByteBuffer.wrap(digest.digest())).thenCompose(v -> stream.closeWrite());
            }
        });
    }

    private static void echo(Stream stream) {
        stream.read().whenComplete((data, error) -> {
            if (error != null) {
                stream.reset();
            } else if (data.isPresent()) {
                stream.write(data.get()).whenComplete((v, e) -> echo(stream));
            } else {
                stream.closeWrite();
            }
        });
    }

    @BeforeEach
    void start() throws Exception {
        peers = new LoopbackPeers(serverId, clientId, UpgradeSettings.DEFAULTS, serverStreams);
    }

    @AfterEach
    void stop() throws Exception {
        peers.close();
    }

    private static final InboundStreams NONE = new InboundStreams() {
        @Override
        public Set<String> protocols() {
            return Set.of();
        }

        @Override
        public void accept(Stream stream) {
            stream.reset();
        }
    };

    static byte[] readAll(Stream stream) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        while (true) {
            Optional<ByteBuffer> b = stream.read().toCompletableFuture().get(10, TimeUnit.SECONDS);
            if (b.isEmpty()) {
                return out.toByteArray();
            }
            byte[] chunk = new byte[b.get().remaining()];
            b.get().get(chunk);
            out.write(chunk);
        }
    }

    @Test
    void sixtyFourMebibytesArriveByteForByte() throws Exception {
        Connection client = peers.dial(Optional.of(serverId.peerId()), NONE).get(10, TimeUnit.SECONDS);
        Connection server = peers.accepted.take().get(10, TimeUnit.SECONDS);
        assertEquals(serverId.peerId(), client.remotePeer());
        assertEquals(clientId.peerId(), server.remotePeer());
        assertEquals(Direction.OUTBOUND, client.direction());
        assertEquals(Direction.INBOUND, server.direction());
        assertEquals("tcp", client.transport());
        assertArrayEquals(clientId.publicKeyProtobuf(), ((UpgradedConnection) server).remotePublicKeyProtobuf());

        Stream stream = client.newStream(List.of("/nope/1.0.0", SINK)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(SINK, stream.protocol());
        MessageDigest expected = sha256();
        Random random = new Random(42);
        byte[] chunk = new byte[CHUNK];
        long start = System.nanoTime();
        for (int sent = 0; sent < SIZE; sent += CHUNK) {
            random.nextBytes(chunk);
            expected.update(chunk);
            // A fresh buffer each time: the stream owns it until the write completes.
            stream.write(ByteBuffer.wrap(chunk.clone())).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        stream.closeWrite().toCompletableFuture().get(10, TimeUnit.SECONDS);
        byte[] digest = readAll(stream);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertArrayEquals(expected.digest(), digest);
        System.out.printf("64 MiB through Noise+yamux on loopback in %.2f s: %.0f MB/s%n", seconds, SIZE / seconds / 1e6);
        stream.closed().toCompletableFuture().get(10, TimeUnit.SECONDS);
        client.close();
        server.closed().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void echoStreamsInParallelAndUnsupportedProtocol() throws Exception {
        Connection client = peers.dial(Optional.empty(), NONE).get(10, TimeUnit.SECONDS);
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> client.newStream(List.of("/a/1", "/b/1")).toCompletableFuture().get(10, TimeUnit.SECONDS));
        ProtocolNotSupportedException e = assertInstanceOf(ProtocolNotSupportedException.class, refused.getCause());
        assertEquals(List.of("/a/1", "/b/1"), e.protocols());

        List<CompletableFuture<byte[]>> results = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            byte[] data = new byte[100_000 + i];
            new Random(i).nextBytes(data);
            CompletionStage<Stream> s = client.newStream(List.of(ECHO));
            results.add(s.toCompletableFuture().thenApplyAsync(stream -> {
                try {
                    stream.write(ByteBuffer.wrap(data)).toCompletableFuture().get(10, TimeUnit.SECONDS);
                    stream.closeWrite();
                    byte[] back = readAll(stream);
                    assertArrayEquals(data, back);
                    return back;
                } catch (Exception ex) {
                    throw new java.util.concurrent.CompletionException(ex);
                }
            }));
        }
        for (CompletableFuture<byte[]> r : results) {
            r.get(20, TimeUnit.SECONDS);
        }
        client.close();
        client.closed().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void dialledPeerWithAnotherKeyIsRefusedAndTheServerServesTheNext() throws Exception {
        TestIdentity someoneElse = TestIdentity.random();
        ExecutionException failed = assertThrows(ExecutionException.class,
                () -> peers.dial(Optional.of(someoneElse.peerId()), NONE).get(10, TimeUnit.SECONDS));
        PeerIdMismatchException mismatch = assertInstanceOf(PeerIdMismatchException.class, failed.getCause());
        assertTrue(mismatch.getMessage().contains(someoneElse.peerId().toString()));
        assertTrue(mismatch.getMessage().contains(serverId.peerId().toString()));
        assertThrows(ExecutionException.class, () -> peers.accepted.take().get(10, TimeUnit.SECONDS));

        Connection ok = peers.dial(Optional.of(serverId.peerId()), NONE).get(10, TimeUnit.SECONDS);
        Stream s = ok.newStream(List.of(ECHO)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        s.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        s.closeWrite();
        assertArrayEquals(new byte[] {1, 2, 3}, readAll(s));
        ok.close();
    }
}
