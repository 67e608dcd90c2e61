package org.hyphae.storage.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.multiformats.Multihash;

/**
 * A long, reproducible stream of pseudo-random bytes that is never held in memory, for blocks
 * larger than a test wants to allocate. Optionally flips one byte, or fails after some bytes.
 */
final class GeneratedStream extends InputStream {

    private final long seed;
    private final long length;
    private final long flipAt;
    private final long failAt;
    private long state;
    private long position;

    GeneratedStream(long seed, long length, long flipAt, long failAt) {
        this.seed = seed;
        this.length = length;
        this.flipAt = flipAt;
        this.failAt = failAt;
        this.state = seed == 0 ? 1 : seed;
    }

    static GeneratedStream of(long seed, long length) {
        return new GeneratedStream(seed, length, -1, -1);
    }

    /** The CID of the unmodified stream's bytes. */
    static Cid cidOf(long seed, long length) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = of(seed, length)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return Cid.v1(Multicodec.RAW, Multihash.of(Multicodec.SHA2_256.code(), md.digest()));
    }

    private byte nextByte() {
        // xorshift64: cheap and reproducible, good enough that hashes differ.
        state ^= state << 13;
        state ^= state >>> 7;
        state ^= state << 17;
        return (byte) state;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (position >= length) {
            return -1;
        }
        if (failAt >= 0 && position >= failAt) {
            throw new IOException("generated stream failing on purpose at byte " + position + " (seed " + seed + ")");
        }
        int n = (int) Math.min(len, length - position);
        if (failAt >= 0) {
            n = (int) Math.min(n, failAt - position);
        }
        for (int i = 0; i < n; i++) {
            b[off + i] = nextByte();
            if (position + i == flipAt) {
                b[off + i] ^= 1;
            }
        }
        position += n;
        return n;
    }
}
