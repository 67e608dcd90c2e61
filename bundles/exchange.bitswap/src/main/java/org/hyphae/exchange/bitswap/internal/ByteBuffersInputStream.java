package org.hyphae.exchange.bitswap.internal;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The bytes of a list of buffers, in order, as a stream, for protobuf's stream decoder.
 * {@link #available()} is exact: the decoder reads a large field straight into an array of its
 * size only when the stream says that many bytes are there (else it gathers 4 KiB pieces and
 * copies them once more).
 */
final class ByteBuffersInputStream extends InputStream {

    private final List<ByteBuffer> parts;
    private int current;
    private long remaining;

    /** Reads the buffers' remaining bytes; moves their positions. */
    ByteBuffersInputStream(List<ByteBuffer> parts) {
        this.parts = parts;
        for (ByteBuffer part : parts) {
            remaining += part.remaining();
        }
    }

    @Override
    public int read() {
        ByteBuffer part = next();
        if (part == null) {
            return -1;
        }
        remaining--;
        return part.get() & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        ByteBuffer part = next();
        if (part == null) {
            return -1;
        }
        int n = Math.min(len, part.remaining());
        part.get(b, off, n);
        remaining -= n;
        return n;
    }

    @Override
    public int available() {
        return (int) Math.min(remaining, Integer.MAX_VALUE);
    }

    /** The first part with bytes left, or null at the end. */
    private ByteBuffer next() {
        while (current < parts.size()) {
            ByteBuffer part = parts.get(current);
            if (part.hasRemaining()) {
                return part;
            }
            current++;
        }
        return null;
    }
}
