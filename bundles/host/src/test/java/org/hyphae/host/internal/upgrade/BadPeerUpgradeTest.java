package org.hyphae.host.internal.upgrade;

import org.hyphae.transport.testkit.TestIdentity;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.hyphae.host.internal.multistream.MultistreamException;
import org.hyphae.transport.testkit.TestIdentity;
import org.hyphae.host.internal.yamux.YamuxSettings;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Stream;
import org.junit.jupiter.api.Test;

/** Raw sockets that misbehave against a listening upgrader, which must drop them and keep serving. */
class BadPeerUpgradeTest {

    private static final InboundStreams ECHO = new InboundStreams() {
        @Override
        public Set<String> protocols() {
            return Set.of("/echo");
        }

        @Override
        public void accept(Stream stream) {
            stream.read().thenAccept(d -> d.ifPresent(b -> stream.write(b).thenRun(stream::closeWrite)));
        }
    };

    @Test
    void garbageAndSilenceAreDroppedAndTheServerServesTheNext() throws Exception {
        UpgradeSettings quick = new UpgradeSettings(Duration.ofMillis(500), Duration.ofSeconds(5), YamuxSettings.DEFAULTS);
        TestIdentity server = TestIdentity.random();
        try (LoopbackPeers peers = new LoopbackPeers(server, TestIdentity.random(), quick, ECHO)) {
            // Garbage before multistream-select.
            try (Socket s = new Socket("127.0.0.1", peers.port())) {
                OutputStream out = s.getOutputStream();
                out.write(("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + "x".repeat(100)).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> peers.accepted.take().get(5, TimeUnit.SECONDS));
                assertInstanceOf(MultistreamException.class, e.getCause());
                assertEndOfStream(s);
            }
            // A valid header, then nothing: the handshake timeout closes it.
            try (Socket s = new Socket("127.0.0.1", peers.port())) {
                s.getOutputStream().write(new byte[] {19});
                s.getOutputStream().write("/multistream/1.0.0\n".getBytes(StandardCharsets.US_ASCII));
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> peers.accepted.take().get(5, TimeUnit.SECONDS));
                assertTrue(e.getCause().getCause() instanceof TimeoutException, e.getCause().toString());
                assertEndOfStream(s);
            }
            Connection ok = peers.dial(Optional.of(server.peerId()), ECHO).get(5, TimeUnit.SECONDS);
            Stream stream = ok.newStream(List.of("/echo")).toCompletableFuture().get(5, TimeUnit.SECONDS);
            stream.write(ByteBuffer.wrap(new byte[] {4, 2}));
            ByteBuffer back = stream.read().toCompletableFuture().get(5, TimeUnit.SECONDS).orElseThrow();
            byte[] got = new byte[back.remaining()];
            back.get(got);
            assertArrayEquals(new byte[] {4, 2}, got);
            ok.close();
        }
    }

    private static void assertEndOfStream(Socket s) throws Exception {
        s.setSoTimeout(5000);
        InputStream in = s.getInputStream();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        byte[] buf = new byte[4096];
        while (System.nanoTime() < deadline) {
            int n = in.read(buf);
            if (n < 0) {
                return;
            }
        }
        assertEquals(-1, in.read(), "the server closed the connection");
    }
}
