package org.hyphae.consensus.bft.internal;

/**
 * Strict big-endian reader: every read is bounded and a failure names the thing read, the field
 * and the offset.
 */
final class WireReader {

    private final String what;
    private final byte[] in;
    private int pos;

    WireReader(String what, byte[] in) {
        this.what = what;
        this.in = in;
    }

    IllegalArgumentException fail(String field, String why) {
        return new IllegalArgumentException(what + ": " + field + " at offset " + pos + ": " + why);
    }

    private void need(int n, String field) {
        if (n < 0 || in.length - pos < n) {
            throw fail(field, "needs " + n + " bytes, " + (in.length - pos) + " left");
        }
    }

    int u8(String field) {
        need(1, field);
        return in[pos++] & 0xff;
    }

    int u16(String field) {
        need(2, field);
        int v = ((in[pos] & 0xff) << 8) | (in[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    int u32(String field) {
        need(4, field);
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (in[pos++] & 0xff);
        }
        return v;
    }

    long u64(String field) {
        need(8, field);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (in[pos++] & 0xff);
        }
        return v;
    }

    byte[] fixed(int n, String field) {
        need(n, field);
        byte[] b = java.util.Arrays.copyOfRange(in, pos, pos + n);
        pos += n;
        return b;
    }

    /** Bytes with a 4-byte length of at most {@code max}. */
    byte[] bytes(int max, String field) {
        int n = u32(field + " length");
        if (n < 0 || n > max) {
            throw fail(field, "length " + Integer.toUnsignedString(n) + " exceeds " + max);
        }
        return fixed(n, field);
    }

    String string(int max, String field) {
        return new String(bytes(max, field), java.nio.charset.StandardCharsets.UTF_8);
    }

    void end() {
        if (pos != in.length) {
            throw fail("end", (in.length - pos) + " trailing bytes");
        }
    }
}
