package org.hyphae.host.internal.perf;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.hyphae.transport.streamio.AsyncLoop;
import org.hyphae.transport.Stream;

/** What the perf client and server share: sending N filler bytes with backpressure. */
final class PerfStreams {

    /** Default size of each write; large writes keep per-write overhead off the benchmark. */
    static final int DEFAULT_CHUNK = 128 * 1024;

    private PerfStreams() {
    }

    /**
     * A read-only buffer of zeros. Read-only because the same bytes are handed to every write: a
     * host must copy them (it cannot encrypt them in place), and nothing can change them.
     */
    static ByteBuffer zeros(int chunk) {
        return ByteBuffer.allocate(chunk).asReadOnlyBuffer();
    }

    /**
     * Writes {@code count} zero bytes (an unsigned 64-bit count: {@code -1} means 2^64-1, in effect
     * "until the stream breaks"), one chunk at a time, each write waiting for the previous one.
     */
    static CompletionStage<Void> send(Stream stream, ByteBuffer zeros, long count) {
        int chunk = zeros.capacity();
        long[] remaining = {count};
        return AsyncLoop.run(() -> {
            if (remaining[0] == 0) {
                return CompletableFuture.completedFuture(Optional.of(Boolean.TRUE));
            }
            int n = Long.compareUnsigned(remaining[0], chunk) < 0 ? (int) remaining[0] : chunk;
            remaining[0] -= n;
            return stream.write(zeros.duplicate().limit(n)).thenApply(v -> Optional.<Boolean>empty());
        }).thenApply(done -> null);
    }
}
