package org.hyphae.transport.testkit;

import org.hyphae.transport.streamio.*;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.hyphae.transport.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StreamReaderTest {

    private final MemoryNetwork network = new MemoryNetwork();

    @AfterEach
    void close() {
        assertEquals(List.of(), network.violations());
        network.close();
    }

    /** Opens a stream and returns {writer (dialler side), reader (listener side)}. */
    private Stream[] pipe() throws Exception {
        MemoryNode a = network.node();
        MemoryNode b = network.node();
        CompletableFuture<Stream> inbound = new CompletableFuture<>();
        b.handle("/test/1", inbound::complete);
        Stream out = network.connect(a, b).newStream(List.of("/test/1")).toCompletableFuture().get(5, TimeUnit.SECONDS);
        return new Stream[] {out, inbound.get(5, TimeUnit.SECONDS)};
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    static Throwable failure(CompletionStage<?> stage) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> stage.toCompletableFuture().get(5, TimeUnit.SECONDS));
        return AsyncLoop.unwrap(e);
    }

    @Test
    void readsLengthPrefixedMessagesSplitAcrossChunks() throws Exception {
        network.readChunkLimit(1);
        Stream[] s = pipe();
        byte[] big = new byte[300];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        await(s[0].write(LengthPrefixed.frame(List.of(new byte[] {1, 2, 3}, new byte[0], big))));
        await(s[0].closeWrite());
        StreamReader r = new StreamReader(s[1]);
        assertArrayEquals(new byte[] {1, 2, 3}, await(r.readLengthPrefixed(1000)).orElseThrow());
        assertArrayEquals(new byte[0], await(r.readLengthPrefixed(1000)).orElseThrow());
        assertArrayEquals(big, await(r.readLengthPrefixed(300)).orElseThrow());
        assertEquals(Optional.empty(), await(r.readLengthPrefixed(1000)));
    }

    @Test
    void readsAMessageAsItsChunksWithoutCopyingThem() throws Exception {
        network.readChunkLimit(7);
        Stream[] s = pipe();
        byte[] big = new byte[30];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i + 1);
        }
        await(s[0].write(LengthPrefixed.frame(List.of(big, new byte[0], new byte[] {5, 6}))));
        await(s[0].closeWrite());
        StreamReader r = new StreamReader(s[1]);
        List<ByteBuffer> parts = await(r.readLengthPrefixedParts(100)).orElseThrow();
        // 1 prefix byte and 6 body bytes in the first chunk of 7, then 7 each, then 3 of the last.
        assertEquals(List.of(6, 7, 7, 7, 3), parts.stream().map(ByteBuffer::remaining).toList());
        ByteBuffer joined = ByteBuffer.allocate(30);
        parts.forEach(joined::put);
        assertArrayEquals(big, joined.array());
        assertEquals(List.of(), await(r.readLengthPrefixedParts(100)).orElseThrow(), "an empty message has no parts");
        List<ByteBuffer> last = await(r.readLengthPrefixedParts(100)).orElseThrow();
        assertEquals(1, last.size(), "a message inside one chunk is one view of it");
        assertEquals(ByteBuffer.wrap(new byte[] {5, 6}), last.get(0));
        assertEquals(Optional.empty(), await(r.readLengthPrefixedParts(100)));
    }

    @Test
    void aMessageReadAsPartsFailsAsAWholeOneDoes() throws Exception {
        Stream[] s = pipe();
        await(s[0].write(ByteBuffer.wrap(new byte[] {10, 1, 2, 3})));
        await(s[0].closeWrite());
        StreamReader r = new StreamReader(s[1]);
        Throwable e = failure(r.readLengthPrefixedParts(100));
        assertInstanceOf(EOFException.class, e);
        assertTrue(e.getMessage().contains("after 3 of the 10 bytes"), e.getMessage());

        Stream[] t = pipe();
        await(t[0].write(LengthPrefixed.frame(new byte[50])));
        assertInstanceOf(MessageTooLargeException.class, failure(new StreamReader(t[1]).readLengthPrefixedParts(49)));
    }

    @Test
    void mixesExactReadsAndMessagesInOneChunk() throws Exception {
        Stream[] s = pipe();
        ByteBuffer framed = LengthPrefixed.frame(new byte[] {9, 9});
        ByteBuffer all = ByteBuffer.allocate(4 + framed.remaining() + 2).put(new byte[] {1, 2, 3, 4}).put(framed)
                .put(new byte[] {7, 8}).flip();
        await(s[0].write(all));
        await(s[0].closeWrite());
        StreamReader r = new StreamReader(s[1]);
        assertArrayEquals(new byte[] {1, 2, 3, 4}, await(r.readExactly(4, "header")));
        assertArrayEquals(new byte[] {9, 9}, await(r.readLengthPrefixed(10)).orElseThrow());
        assertEquals(2L, await(r.drain()));
    }

    @Test
    void oversizedMessageFailsBeforeItsBodyIsRead() throws Exception {
        Stream[] s = pipe();
        await(s[0].write(LengthPrefixed.frame(new byte[8193])));
        StreamReader r = new StreamReader(s[1]);
        Throwable t = failure(r.readLengthPrefixed(8192));
        MessageTooLargeException e = assertInstanceOf(MessageTooLargeException.class, t);
        assertEquals(8193, e.length());
        assertTrue(e.getMessage().contains("/test/1") && e.getMessage().contains("8193")
                && e.getMessage().contains("8192"), e.getMessage());
    }

    @Test
    void hugeLengthPrefixFailsWithoutWaitingForItsEnd() throws Exception {
        Stream[] s = pipe();
        // Continuation bits set and the value already past the limit: no need to read on.
        await(s[0].write(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF})));
        Throwable t = failure(new StreamReader(s[1]).readLengthPrefixed(100));
        assertInstanceOf(MessageTooLargeException.class, t);
    }

    @Test
    void truncatedBodyIsAnEofError() throws Exception {
        Stream[] s = pipe();
        await(s[0].write(ByteBuffer.wrap(new byte[] {10, 1, 2, 3})));
        await(s[0].closeWrite());
        Throwable t = failure(new StreamReader(s[1]).readLengthPrefixed(100));
        assertInstanceOf(EOFException.class, t);
        assertTrue(t.getMessage().contains("3 of the 10 bytes"), t.getMessage());
    }

    @Test
    void endAfterLengthPrefixIsAnEofError() throws Exception {
        Stream[] s = pipe();
        await(s[0].write(ByteBuffer.wrap(new byte[] {10})));
        await(s[0].closeWrite());
        Throwable t = failure(new StreamReader(s[1]).readLengthPrefixed(100));
        assertInstanceOf(EOFException.class, t);
        assertTrue(t.getMessage().contains("after the length prefix of a 10-byte message"), t.getMessage());
    }

    @Test
    void truncatedLengthPrefixIsAnEofError() throws Exception {
        Stream[] s = pipe();
        await(s[0].write(ByteBuffer.wrap(new byte[] {(byte) 0x81})));
        await(s[0].closeWrite());
        Throwable t = failure(new StreamReader(s[1]).readLengthPrefixed(1000));
        assertInstanceOf(EOFException.class, t);
        assertTrue(t.getMessage().contains("inside a length prefix"), t.getMessage());
    }

    @Test
    void nonMinimalLengthPrefixIsMalformed() throws Exception {
        Stream[] s = pipe();
        await(s[0].write(ByteBuffer.wrap(new byte[] {(byte) 0x81, 0x00, 1})));
        Throwable t = failure(new StreamReader(s[1]).readLengthPrefixed(1000));
        assertInstanceOf(MalformedMessageException.class, t);
    }

    @Test
    void resetFailsAPendingRead() throws Exception {
        Stream[] s = pipe();
        CompletionStage<Optional<byte[]>> read = new StreamReader(s[1]).readLengthPrefixed(10);
        s[0].reset();
        assertTrue(failure(read).getMessage().contains("reset"));
    }

    @Test
    void expectEndRejectsExtraBytes() throws Exception {
        Stream[] s = pipe();
        await(s[0].write(ByteBuffer.wrap(new byte[] {1})));
        Throwable t = failure(new StreamReader(s[1]).expectEnd("response"));
        assertInstanceOf(MalformedMessageException.class, t);
        assertTrue(t.getMessage().contains("after the response"), t.getMessage());
    }

    @Test
    void readFullyIsEmptyAtACleanEnd() throws Exception {
        Stream[] s = pipe();
        await(s[0].closeWrite());
        assertEquals(Optional.empty(), await(new StreamReader(s[1]).readFully(32, "payload")));
    }

    @Test
    void manySynchronousIterationsDoNotGrowTheStack() throws Exception {
        AtomicInteger n = new AtomicInteger();
        int result = await(AsyncLoop.run(() -> CompletableFuture.completedFuture(
                n.incrementAndGet() == 1_000_000 ? Optional.of(n.get()) : Optional.<Integer>empty())));
        assertEquals(1_000_000, result);
    }

    @Test
    void loopStopsAtTheFirstFailure() {
        AtomicInteger n = new AtomicInteger();
        Throwable t = failure(AsyncLoop.<Integer>run(() -> {
            if (n.incrementAndGet() == 3) {
                throw new IllegalStateException("boom");
            }
            return CompletableFuture.supplyAsync(Optional::<Integer>empty);
        }));
        assertEquals("boom", t.getMessage());
        assertEquals(3, n.get());
    }

    @Test
    void writerThatWaitsIsHeldByTheWindow() throws Exception {
        network.window(1024);
        Stream[] s = pipe();
        CompletionStage<Void> w = s[0].write(ByteBuffer.allocate(4096));
        network.settle();
        assertTrue(!w.toCompletableFuture().isDone(), "write beyond the window completed without a reader");
        assertEquals(4096L, await(new StreamReader(s[1]).readExactly(4096, "data")).length);
        await(w);
    }
}
