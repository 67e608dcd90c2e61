package org.hyphae.host.internal.yamux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import org.hyphae.host.internal.noise.Shuttle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

class YamuxSessionTest {

    private static final YamuxSettings SETTINGS =
            new YamuxSettings(256 * 1024, 256 * 1024, 4, Duration.ZERO);

    private final List<YamuxStream> accepted = new ArrayList<>();
    private YamuxSession client;
    private YamuxSession server;
    private EmbeddedChannel c;
    private EmbeddedChannel s;

    @BeforeEach
    void setUp() {
        client = new YamuxSession(true, SETTINGS, Runnable::run, st -> { });
        server = new YamuxSession(false, SETTINGS, Runnable::run, accepted::add);
        c = new EmbeddedChannel(client);
        s = new EmbeddedChannel(server);
        Shuttle.run(c, s);
    }

    @AfterEach
    void tearDown() {
        for (YamuxStream st : accepted) {
            st.reset();
        }
        finish(c);
        finish(s);
    }

    private static void finish(EmbeddedChannel ch) {
        try {
            ch.finishAndReleaseAll();
        } catch (RuntimeException checkedElsewhere) {
            ch.releaseInbound();
            ch.releaseOutbound();
        }
    }

    private static ByteBuf frame(int version, int type, int flags, int id, long length, byte[] payload) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(version).writeByte(type).writeShort(flags).writeInt(id).writeInt((int) length);
        if (payload != null) {
            b.writeBytes(payload);
        }
        return b;
    }

    /** Collects the frames a channel wrote, as header fields. */
    private static List<long[]> framesWritten(EmbeddedChannel ch) {
        List<long[]> frames = new ArrayList<>();
        ByteBuf all = Unpooled.buffer();
        ByteBuf out;
        while ((out = ch.readOutbound()) != null) {
            all.writeBytes(out);
            out.release();
        }
        while (all.readableBytes() >= 12) {
            long[] f = {all.readUnsignedByte(), all.readUnsignedByte(), all.readUnsignedShort(), all.readInt(),
                    all.readUnsignedInt()};
            if (f[1] == 0) {
                all.skipBytes((int) f[4]);
            }
            frames.add(f);
        }
        all.release();
        return frames;
    }

    private static byte[] bytes(Optional<ByteBuffer> read) {
        ByteBuffer b = read.orElseThrow();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private YamuxStream open() {
        CompletableFuture<YamuxStream> f = client.openStream();
        Shuttle.run(c, s);
        return f.join();
    }

    @Test
    void streamCarriesDataBothWaysWithHalfClose() {
        YamuxStream mine = open();
        assertEquals(1, mine.id());
        assertEquals(1, accepted.size());
        YamuxStream theirs = accepted.get(0);
        assertTrue(mine.write(ByteBuffer.wrap("hello".getBytes())).toCompletableFuture().isDone());
        mine.closeWrite();
        Shuttle.run(c, s);
        assertEquals("hello", new String(bytes(theirs.read().toCompletableFuture().join())));
        assertEquals(Optional.empty(), theirs.read().toCompletableFuture().join());
        theirs.write(ByteBuffer.wrap("back".getBytes()));
        theirs.closeWrite();
        Shuttle.run(c, s);
        assertEquals("back", new String(bytes(mine.read().toCompletableFuture().join())));
        assertEquals(Optional.empty(), mine.read().toCompletableFuture().join());
        assertTrue(mine.closed().toCompletableFuture().isDone());
        assertTrue(theirs.closed().toCompletableFuture().isDone());
        assertTrue(client.streams().isEmpty());
        assertTrue(server.streams().isEmpty());
    }

    @Test
    void writerWaitsForTheReaderWindow() {
        YamuxStream mine = open();
        YamuxStream theirs = accepted.get(0);
        byte[] data = new byte[1024 * 1024];
        new Random(1).nextBytes(data);
        CompletableFuture<Void> written = mine.write(ByteBuffer.wrap(data)).toCompletableFuture();
        Shuttle.run(c, s);
        assertFalse(written.isDone(), "1 MiB cannot fit a 256 KiB window");
        assertArrayEquals(data, readAll(theirs, data.length));
        assertTrue(written.isDone());
    }

    /** Reads {@code length} bytes, shuttling frames between reads; no chunk is over the 256 KiB window. */
    private byte[] readAll(YamuxStream stream, int length) {
        ByteBuf got = Unpooled.buffer();
        while (got.readableBytes() < length) {
            byte[] chunk = bytes(stream.read().toCompletableFuture().join());
            assertTrue(chunk.length <= 256 * 1024, "never more buffered than the window granted");
            got.writeBytes(chunk);
            Shuttle.run(c, s);
        }
        byte[] all = new byte[got.readableBytes()];
        got.readBytes(all);
        got.release();
        return all;
    }

    @Test
    void buffersWrittenAsOneArriveInOrderAndWaitForTheWindowTogether() {
        YamuxStream mine = open();
        YamuxStream theirs = accepted.get(0);
        byte[] data = new byte[600 * 1024];
        new Random(2).nextBytes(data);
        // Framing and payload kept apart, as Bitswap writes a message: a small part, a large one, an empty one.
        List<ByteBuffer> parts = List.of(ByteBuffer.wrap(data, 0, 10), ByteBuffer.wrap(data, 10, 400 * 1024),
                ByteBuffer.allocate(0), ByteBuffer.wrap(data, 10 + 400 * 1024, data.length - 10 - 400 * 1024));
        CompletableFuture<Void> written = mine.write(parts).toCompletableFuture();
        Shuttle.run(c, s);
        assertFalse(written.isDone(), "600 KiB cannot fit a 256 KiB window");
        assertArrayEquals(data, readAll(theirs, data.length));
        assertTrue(written.isDone());
    }

    @Test
    void emptyWriteCompletesEvenWithAClosedWindow() {
        YamuxStream mine = open();
        CompletableFuture<Void> full = mine.write(ByteBuffer.wrap(new byte[256 * 1024])).toCompletableFuture();
        assertTrue(full.isDone());
        assertTrue(mine.write(ByteBuffer.allocate(0)).toCompletableFuture().isDone());
        Shuttle.run(c, s);
    }

    @Test
    void windowsGrowForFastReadersWithinTheSessionBudget() {
        YamuxSession fastClient = new YamuxSession(true, new YamuxSettings(256 * 1024, 1024 * 1024, 8, Duration.ZERO),
                Runnable::run, st -> { });
        List<YamuxStream> fastAccepted = new ArrayList<>();
        YamuxSession fastServer = new YamuxSession(false, new YamuxSettings(256 * 1024, 1024 * 1024, 8, Duration.ZERO),
                Runnable::run, fastAccepted::add);
        EmbeddedChannel fc = new EmbeddedChannel(fastClient);
        EmbeddedChannel fs = new EmbeddedChannel(fastServer);
        Shuttle.run(fc, fs);
        assertTrue(fastServer.rttNanos() > 0);
        // A long round trip makes every half window "fast": growth then depends only on the budget.
        fastServer.rttNanos(java.util.concurrent.TimeUnit.SECONDS.toNanos(10));
        // Six streams read as fast as the data comes: windows double up to 1 MiB, but together
        // they may grow by at most 4 x 1 MiB.
        List<YamuxStream> mine = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            mine.add(fastClient.openStream().join());
        }
        Shuttle.run(fc, fs);
        for (int round = 0; round < 40; round++) {
            for (YamuxStream st : mine) {
                st.write(ByteBuffer.wrap(new byte[256 * 1024]));
            }
            Shuttle.run(fc, fs);
            for (YamuxStream st : fastAccepted) {
                st.read().toCompletableFuture().join();
            }
            Shuttle.run(fc, fs);
        }
        long growth = 0;
        for (YamuxStream st : fastAccepted) {
            assertTrue(st.windowSize() <= 1024 * 1024);
            growth += st.windowSize() - 256 * 1024;
        }
        assertEquals(4 * 1024 * 1024, growth, "windows grew up to the session budget");
        finish(fc);
        finish(fs);
    }

    @Test
    void pingIsAnsweredAndMeasured() {
        assertTrue(client.rttNanos() > 0);
        s.writeInbound(frame(0, 2, 1, 0, 77, null));
        List<long[]> out = framesWritten(s);
        assertEquals(1, out.size());
        assertArrayEquals(new long[] {0, 2, 2, 0, 77}, out.get(0));
    }

    private void assertClosedWithProtocolError(EmbeddedChannel ch) {
        List<long[]> out = framesWritten(ch);
        assertTrue(out.stream().anyMatch(f -> f[1] == 3 && f[4] == 1), "GoAway with protocol error sent");
        assertFalse(ch.isOpen());
    }

    @Test
    void unknownFrameTypeClosesTheConnection() {
        s.writeInbound(frame(0, 7, 0, 1, 0, null));
        assertClosedWithProtocolError(s);
    }

    @Test
    void badVersionClosesTheConnection() {
        s.writeInbound(frame(1, 0, 1, 1, 0, null));
        assertClosedWithProtocolError(s);
    }

    @Test
    void windowOverrunClosesTheConnection() {
        YamuxStream mine = open();
        assertNotNull(mine);
        // 256 KiB + 1 byte: the header alone is enough to refuse it.
        s.writeInbound(frame(0, 0, 0, 1, 256 * 1024 + 1, new byte[10]));
        assertClosedWithProtocolError(s);
        assertTrue(accepted.get(0).read().toCompletableFuture().isCompletedExceptionally());
    }

    @Test
    void dataForAStreamNeverOpenedClosesTheConnection() {
        s.writeInbound(frame(0, 0, 0, 9, 3, new byte[3]));
        assertClosedWithProtocolError(s);
    }

    @Test
    void dataAfterTheFinResetsTheStream() {
        YamuxStream mine = open();
        assertNotNull(mine);
        s.writeInbound(frame(0, 1, 4, 1, 0, null));
        framesWritten(s);
        s.writeInbound(frame(0, 0, 0, 1, 3, new byte[] {1, 2, 3}));
        List<long[]> out = framesWritten(s);
        assertTrue(out.stream().anyMatch(f -> f[1] == 1 && (f[2] & 8) != 0 && f[3] == 1), "RST sent");
        assertTrue(s.isOpen(), "only the stream is reset");
        assertTrue(accepted.get(0).closed().toCompletableFuture().isDone());
    }

    @Test
    void streamsBeyondTheLimitAreReset() {
        for (int id = 1; id <= 21; id += 2) {
            s.writeInbound(frame(0, 1, 1, id, 0, null));
        }
        List<long[]> out = framesWritten(s);
        long resets = out.stream().filter(f -> (f[2] & 8) != 0).count();
        assertEquals(4, accepted.size());
        assertEquals(7, resets);
        assertTrue(s.isOpen());
        assertEquals(4, server.streams().size());
    }

    @Test
    void reusedOrWrongParityStreamIdClosesTheConnection() {
        s.writeInbound(frame(0, 1, 1, 2, 0, null));
        assertClosedWithProtocolError(s);
    }

    @Test
    void closeSendsGoAwayAndFailsStreams() {
        YamuxStream mine = open();
        CompletableFuture<Optional<ByteBuffer>> pending = mine.read().toCompletableFuture();
        client.close();
        List<long[]> out = framesWritten(c);
        assertTrue(out.stream().anyMatch(f -> f[1] == 3 && f[4] == 0), "GoAway normal");
        assertFalse(c.isOpen());
        assertTrue(pending.isCompletedExceptionally());
        assertTrue(client.closed().isDone());
        assertTrue(client.openStream().isCompletedExceptionally());
    }

    @Test
    void resetFailsBothEnds() {
        YamuxStream mine = open();
        YamuxStream theirs = accepted.get(0);
        CompletableFuture<Optional<ByteBuffer>> pending = theirs.read().toCompletableFuture();
        mine.reset();
        Shuttle.run(c, s);
        assertTrue(pending.isCompletedExceptionally());
        assertTrue(mine.write(ByteBuffer.allocate(1)).toCompletableFuture().isCompletedExceptionally());
    }
}
