package org.hyphae.transport.testkit;

import org.hyphae.transport.streamio.*;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.hyphae.transport.Direction;
import org.hyphae.transport.ProtocolNotSupportedException;
import org.hyphae.transport.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The test double keeps the {@link Stream} contract, so the protocol tests prove something. */
class MemoryStreamTest {

    private final MemoryNetwork network = new MemoryNetwork().window(100);
    private final MemoryNode a = network.node();
    private final MemoryNode b = network.node();
    private final CompletableFuture<Stream> inbound = new CompletableFuture<>();

    @AfterEach
    void close() {
        network.close();
    }

    private Stream open() throws Exception {
        b.handle("/t", inbound::complete);
        return StreamReaderTest.await(network.connect(a, b).newStream(List.of("/t")));
    }

    @Test
    void bytesArriveInOrderThenEndOfStream() throws Exception {
        Stream out = open();
        Stream in = StreamReaderTest.await(inbound);
        assertEquals(Direction.OUTBOUND, out.direction());
        assertEquals(Direction.INBOUND, in.direction());
        assertEquals(a.localPeer(), in.remotePeer());
        StreamReaderTest.await(out.write(ByteBuffer.wrap(new byte[] {1, 2})));
        StreamReaderTest.await(out.closeWrite());
        assertEquals(2, StreamReaderTest.await(in.read()).orElseThrow().remaining());
        assertEquals(Optional.empty(), StreamReaderTest.await(in.read()));
        assertFalse(out.closed().toCompletableFuture().isDone(), "half-closed is not closed");
        StreamReaderTest.await(in.closeWrite());
        assertEquals(Optional.empty(), StreamReaderTest.await(out.read()));
        StreamReaderTest.await(out.closed());
    }

    @Test
    void writeAfterCloseWriteFails() throws Exception {
        Stream out = open();
        StreamReaderTest.await(out.closeWrite());
        assertInstanceOf(IOException.class, StreamReaderTest.failure(out.write(ByteBuffer.allocate(1))));
    }

    @Test
    void resetFailsBothSides() throws Exception {
        Stream out = open();
        Stream in = StreamReaderTest.await(inbound);
        CompletionStage<Optional<ByteBuffer>> pending = in.read();
        out.reset();
        assertInstanceOf(IOException.class, StreamReaderTest.failure(pending));
        assertInstanceOf(IOException.class, StreamReaderTest.failure(in.write(ByteBuffer.allocate(1))));
        StreamReaderTest.await(in.closed());
    }

    @Test
    void ignoringBackpressureIsRecorded() throws Exception {
        Stream out = open();
        CompletionStage<Void> first = out.write(ByteBuffer.allocate(500));
        assertFalse(first.toCompletableFuture().isDone());
        assertInstanceOf(IllegalStateException.class, StreamReaderTest.failure(out.write(ByteBuffer.allocate(1))));
        assertEquals(1, network.violations().size());
    }

    @Test
    void concurrentReadsAreRecorded() throws Exception {
        Stream out = open();
        out.read();
        assertInstanceOf(IllegalStateException.class, StreamReaderTest.failure(out.read()));
        assertEquals(1, network.violations().size());
    }

    @Test
    void unknownProtocolIsNotSupported() throws Exception {
        assertInstanceOf(ProtocolNotSupportedException.class,
                StreamReaderTest.failure(network.connect(a, b).newStream(List.of("/nope"))));
    }

    @Test
    void closingTheConnectionResetsItsStreams() throws Exception {
        Stream out = open();
        MemoryConnection c = (MemoryConnection) out.connection();
        c.close();
        assertTrue(((MemoryStream) out).isReset());
        StreamReaderTest.await(c.peer().closed());
        assertEquals(List.of(), b.connections());
    }
}
