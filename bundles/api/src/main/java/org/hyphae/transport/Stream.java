package org.hyphae.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import org.hyphae.identity.PeerId;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One multiplexed, flow-controlled byte stream of a {@link Connection}, with its protocol
 * negotiated.
 *
 * <p>Backpressure: {@link #write(ByteBuffer)} completes once the data fits the peer's receive
 * window; a writer that waits for each write before the next never buffers without bound. A
 * reader that does not call {@link #read()} stops the peer's writer the same way.
 */
@ProviderType
public interface Stream {

    /** The negotiated protocol id, e.g. {@code /ipfs/ping/1.0.0}. */
    String protocol();

    /** The connection this stream belongs to. */
    Connection connection();

    /** The peer at the other end. */
    default PeerId remotePeer() {
        return connection().remotePeer();
    }

    /** Who opened the stream. */
    Direction direction();

    /**
     * Reads the next chunk of bytes. The buffer is the caller's: the stream does not touch it again,
     * so a reader may keep views of it ({@link org.hyphae.transport.streamio.StreamReader#readParts}).
     *
     * @return completes with the next bytes, with empty at the end of the stream (the peer closed
     *     its side), or exceptionally with an {@link IOException} if the stream was reset or the
     *     connection failed
     */
    CompletionStage<Optional<ByteBuffer>> read();

    /**
     * Writes bytes. The buffer is consumed.
     *
     * @return completes when the bytes are accepted under the peer's flow-control window; fails if
     *     the stream is closed for writing or reset
     */
    CompletionStage<Void> write(ByteBuffer data);

    /**
     * Writes buffers one after the other as one write: a message built of parts (framing and
     * payloads kept apart) is sent without first being copied into one buffer. The buffers are
     * consumed. This default writes them one at a time; a multiplexer may take them at once.
     *
     * @param data the buffers, in order
     * @return completes when all bytes are accepted under the peer's flow-control window; fails if
     *     the stream is closed for writing or reset
     * @since 0.3
     */
    default CompletionStage<Void> write(List<ByteBuffer> data) {
        CompletionStage<Void> done = java.util.concurrent.CompletableFuture.completedFuture(null);
        for (ByteBuffer part : data) {
            done = done.thenCompose(v -> write(part));
        }
        return done;
    }

    /** Closes this side for writing (half-close); reading goes on. */
    CompletionStage<Void> closeWrite();

    /** Aborts the stream in both directions. */
    void reset();

    /** Completes when both sides are closed or the stream is reset. */
    CompletionStage<Void> closed();
}
