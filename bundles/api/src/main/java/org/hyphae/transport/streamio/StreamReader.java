package org.hyphae.transport.streamio;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import org.hyphae.multiformats.Varint;
import org.hyphae.transport.Stream;

/**
 * Reads structured input from a {@link Stream}: exact byte counts, uvarint-length-prefixed
 * messages, everything to the end. Bytes of a read chunk that the current call does not need are
 * kept for the next call, so calls can be mixed freely.
 *
 * <p>Not thread-safe, and like {@link Stream#read()} it allows one call in flight: start the next
 * call when the previous one has completed. Nothing blocks; every method returns at once.
 *
 * <p>Failures are {@link java.io.IOException}s whose message names the protocol and the peer:
 * {@link EOFException} when the stream ends inside a unit, {@link MessageTooLargeException},
 * {@link MalformedMessageException}, or whatever the stream failed with (reset, connection lost).
 */
public final class StreamReader {

    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

    private final Stream stream;
    private ByteBuffer pending = NOTHING;
    private boolean eof;

    /**
     * Wraps a stream. The reader becomes the stream's only reader: do not call
     * {@link Stream#read()} directly afterwards, it would skip buffered bytes.
     *
     * @param stream the stream to read
     */
    public StreamReader(Stream stream) {
        this.stream = Objects.requireNonNull(stream, "stream");
    }

    /** The stream being read. */
    public Stream stream() {
        return stream;
    }

    /**
     * Reads the next available bytes: those left over from an earlier call, or the next chunk.
     *
     * @return the bytes (never empty), or empty at the end of the stream
     */
    public CompletionStage<Optional<ByteBuffer>> readSome() {
        if (pending.hasRemaining()) {
            ByteBuffer out = pending;
            pending = NOTHING;
            return CompletableFuture.completedFuture(Optional.of(out));
        }
        return fill().thenApply(more -> {
            if (!more) {
                return Optional.<ByteBuffer>empty();
            }
            ByteBuffer out = pending;
            pending = NOTHING;
            return Optional.of(out);
        });
    }

    /**
     * Reads exactly {@code n} bytes.
     *
     * @param n the byte count
     * @param what what the bytes are, for the error message (e.g. "ping payload")
     * @return the bytes; fails with {@link EOFException} if the stream ends first
     */
    public CompletionStage<byte[]> readExactly(int n, String what) {
        return readFully(n, what).thenApply(bytes -> bytes.orElseThrow(() -> new CompletionException(
                new EOFException(context() + ": stream ended before the " + what + " (" + n + " bytes)"))));
    }

    /**
     * Reads exactly {@code n} bytes, or nothing if the stream ends cleanly first.
     *
     * @param n the byte count
     * @param what what the bytes are, for the error message
     * @return the bytes; empty if the stream ended before any of them; fails with
     *     {@link EOFException} if it ended after some of them
     */
    public CompletionStage<Optional<byte[]>> readFully(int n, String what) {
        return readParts(n, what).thenApply(parts -> parts.map(StreamReader::join));
    }

    /**
     * Reads exactly {@code n} bytes as the chunks they came in, without copying them: views of the
     * stream's chunks (or of one chunk), in order. For large messages whose parts are decoded
     * once, where a copy into one array would cost a pass over the bytes and a large allocation.
     *
     * @param n the byte count
     * @param what what the bytes are, for the error message
     * @return the parts (none for {@code n == 0}); empty if the stream ended before any of the
     *     bytes; fails with {@link EOFException} if it ended after some of them
     * @since 0.2
     */
    public CompletionStage<Optional<List<ByteBuffer>>> readParts(int n, String what) {
        if (n < 0) {
            throw new IllegalArgumentException("negative length " + n);
        }
        List<ByteBuffer> parts = new ArrayList<>();
        int[] filled = {0};
        return AsyncLoop.run(() -> {
            int take = Math.min(pending.remaining(), n - filled[0]);
            if (take > 0) {
                parts.add(pending.slice(pending.position(), take));
                pending.position(pending.position() + take);
                filled[0] += take;
            }
            if (filled[0] == n) {
                return CompletableFuture.completedFuture(Optional.of(Optional.of(parts)));
            }
            return fill().thenApply(more -> {
                if (more) {
                    return Optional.<Optional<List<ByteBuffer>>>empty();
                }
                if (filled[0] == 0) {
                    return Optional.of(Optional.<List<ByteBuffer>>empty());
                }
                throw new CompletionException(new EOFException(context() + ": stream ended after "
                        + filled[0] + " of the " + n + " bytes of the " + what));
            });
        });
    }

    private static byte[] join(List<ByteBuffer> parts) {
        int n = 0;
        for (ByteBuffer part : parts) {
            n += part.remaining();
        }
        byte[] out = new byte[n];
        int at = 0;
        for (ByteBuffer part : parts) {
            int len = part.remaining();
            part.get(out, at, len);
            at += len;
        }
        return out;
    }

    /**
     * Reads one message framed as {@code uvarint(length) bytes}, as libp2p's length-prefixed
     * protocols (identify, kad, gossipsub, ...) send them. The length must be a minimal uvarint.
     *
     * @param maxLength the largest length accepted; a larger one fails without reading the body
     * @return the message body; empty if the stream ended cleanly before the message; fails with
     *     {@link MessageTooLargeException}, {@link MalformedMessageException} (bad uvarint) or
     *     {@link EOFException} (ended inside the message)
     */
    public CompletionStage<Optional<byte[]>> readLengthPrefixed(int maxLength) {
        return readLengthPrefixedParts(maxLength).thenApply(body -> body.map(StreamReader::join));
    }

    /**
     * Reads one length-prefixed message as {@link #readLengthPrefixed} does, as the chunks it came
     * in ({@link #readParts}): for large messages, such as Bitswap's blocks, that are decoded
     * from the chunks rather than copied into one array first.
     *
     * @param maxLength the largest length accepted; a larger one fails without reading the body
     * @return the message body's parts; empty if the stream ended cleanly before the message;
     *     fails as {@link #readLengthPrefixed} does
     * @since 0.2
     */
    public CompletionStage<Optional<List<ByteBuffer>>> readLengthPrefixedParts(int maxLength) {
        if (maxLength < 0) {
            throw new IllegalArgumentException("negative limit " + maxLength);
        }
        long[] value = {0};
        int[] count = {0};
        return AsyncLoop.<Optional<Long>>run(() -> {
            while (pending.hasRemaining()) {
                int b = pending.get() & 0xFF;
                value[0] |= (long) (b & 0x7F) << (7 * count[0]);
                count[0]++;
                if ((b & 0x80) == 0) {
                    if (b == 0 && count[0] > 1) {
                        return failed(new MalformedMessageException(context()
                                + ": length prefix is not a minimal uvarint (trailing zero byte)"));
                    }
                    return CompletableFuture.completedFuture(Optional.of(Optional.of(value[0])));
                }
                if (value[0] > maxLength || count[0] >= Varint.MAX_BYTES) {
                    // Still more bytes to come and already over the limit: stop reading here.
                    return failed(new MessageTooLargeException(context(), -1, maxLength));
                }
            }
            return fill().thenApply(more -> {
                if (more) {
                    return Optional.<Optional<Long>>empty();
                }
                if (count[0] == 0) {
                    return Optional.of(Optional.<Long>empty());
                }
                throw new CompletionException(new EOFException(
                        context() + ": stream ended inside a length prefix"));
            });
        }).thenCompose(length -> {
            if (length.isEmpty()) {
                return CompletableFuture.completedFuture(Optional.<List<ByteBuffer>>empty());
            }
            long n = length.get();
            if (n > maxLength) {
                return failed(new MessageTooLargeException(context(), n, maxLength));
            }
            return readParts((int) n, "length-prefixed message").thenApply(body -> {
                if (body.isEmpty() && n > 0) {
                    throw new CompletionException(new EOFException(context()
                            + ": stream ended after the length prefix of a " + n + "-byte message"));
                }
                return Optional.of(body.orElse(List.of()));
            });
        });
    }

    /**
     * Reads and discards everything up to the end of the stream.
     *
     * @return the number of bytes discarded
     */
    public CompletionStage<Long> drain() {
        long[] total = {pending.remaining()};
        pending = NOTHING;
        return AsyncLoop.run(() -> stream.read().thenApply(chunk -> {
            if (chunk.isEmpty()) {
                eof = true;
                return Optional.of(total[0]);
            }
            total[0] += chunk.get().remaining();
            return Optional.<Long>empty();
        }));
    }

    /**
     * Waits for the end of the stream, failing if the peer sends anything more.
     *
     * @param after what the peer should have finished, for the error message
     * @return completes at the end of the stream; fails with {@link MalformedMessageException} if
     *     bytes arrive
     */
    public CompletionStage<Void> expectEnd(String after) {
        return readSome().thenApply(chunk -> {
            if (chunk.isPresent()) {
                throw new CompletionException(new MalformedMessageException(context()
                        + ": unexpected " + chunk.get().remaining() + " byte(s) after the " + after));
            }
            return null;
        });
    }

    /** Reads the next non-empty chunk into {@code pending}; false at the end of the stream. */
    private CompletionStage<Boolean> fill() {
        if (eof) {
            return CompletableFuture.completedFuture(false);
        }
        return AsyncLoop.run(() -> stream.read().thenApply(chunk -> {
            if (chunk.isEmpty()) {
                eof = true;
                return Optional.of(false);
            }
            if (!chunk.get().hasRemaining()) {
                return Optional.<Boolean>empty();
            }
            pending = chunk.get();
            return Optional.of(true);
        }));
    }

    /** "/ipfs/id/1.0.0 stream with 12D3Koo...", for error messages. */
    public String context() {
        return describe(stream);
    }

    /**
     * Describes a stream for log and error messages.
     *
     * @param stream a stream
     * @return its protocol, direction and peer
     */
    public static String describe(Stream stream) {
        String peer;
        try {
            peer = String.valueOf(stream.remotePeer());
        } catch (RuntimeException e) {
            peer = "?";
        }
        return stream.protocol() + " " + (stream.direction() == org.hyphae.transport.Direction.INBOUND ? "inbound" : "outbound")
                + " stream with " + peer;
    }

    private static <X> CompletableFuture<X> failed(Throwable t) {
        return CompletableFuture.failedFuture(t);
    }
}
