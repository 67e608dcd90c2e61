package org.hyphae.host.internal.multistream;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import org.hyphae.transport.Stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;

/**
 * Runs one multistream-select 1.0 negotiation over a {@link Stream} (a yamux stream before its
 * protocol is known), through the stream's own asynchronous read and write. Bytes the peer sent
 * after the negotiation (a lazy initiator's first data) are handed back through {@code unread}.
 */
public final class StreamNegotiation {

    private final Stream stream;
    private final Negotiation negotiation;
    private final Consumer<ByteBuffer> unread;
    // Plain heap buffer, not from an allocator: garbage-collected, so no release on any path.
    private final ByteBuf input = new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, 256, Integer.MAX_VALUE);
    private final CompletableFuture<Optional<String>> result = new CompletableFuture<>();

    private StreamNegotiation(Stream stream, Negotiation negotiation, Consumer<ByteBuffer> unread) {
        this.stream = stream;
        this.negotiation = negotiation;
        this.unread = unread;
    }

    /**
     * Starts the negotiation.
     *
     * @return completes with the agreed protocol, empty if the peer refused every proposal, or
     *     exceptionally with a {@link MultistreamException} or the stream's error
     */
    public static CompletableFuture<Optional<String>> run(Stream stream, Negotiation negotiation,
            Consumer<ByteBuffer> unread) {
        StreamNegotiation n = new StreamNegotiation(stream, negotiation, unread);
        n.send(negotiation.start());
        n.readMore();
        return n.result;
    }

    private CompletableFuture<Void> send(List<String> messages) {
        if (messages.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        ByteBuf encoded = new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, 64, Integer.MAX_VALUE);
        for (String m : messages) {
            MultistreamMessages.encodeInto(m, encoded);
        }
        ByteBuffer bytes = ByteBuffer.wrap(encoded.array(), encoded.arrayOffset() + encoded.readerIndex(),
                encoded.readableBytes());
        CompletableFuture<Void> written = stream.write(bytes).toCompletableFuture();
        written.whenComplete((v, e) -> {
            if (e != null) {
                fail(e);
            }
        });
        return written;
    }

    private void readMore() {
        stream.read().whenComplete((data, error) -> {
            if (error != null) {
                fail(error);
            } else if (data.isEmpty()) {
                fail(new EOFException("stream closed by the peer during multistream-select"));
            } else if (!result.isDone()) {
                input.writeBytes(data.get());
                process();
            }
        });
    }

    private void process() {
        try {
            String message;
            while ((message = MultistreamMessages.read(input)) != null) {
                List<String> replies = negotiation.onMessage(message);
                if (negotiation.isDone()) {
                    Optional<String> selected = negotiation.selected();
                    if (input.isReadable()) {
                        byte[] rest = new byte[input.readableBytes()];
                        input.readBytes(rest);
                        unread.accept(ByteBuffer.wrap(rest));
                    }
                    send(replies).whenComplete((v, e) -> {
                        if (e == null) {
                            result.complete(selected);
                        }
                    });
                    return;
                }
                send(replies);
            }
        } catch (MultistreamException e) {
            fail(e);
            return;
        }
        readMore();
    }

    private void fail(Throwable error) {
        result.completeExceptionally(error);
    }
}
