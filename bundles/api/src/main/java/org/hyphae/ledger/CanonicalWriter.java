package org.hyphae.ledger;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The ledger's canonical binary form: fixed field order, big-endian fixed-width integers, byte
 * strings as a 4-byte length and the bytes. One value has exactly one encoding, so hashes and
 * signatures over it agree on every node.
 */
final class CanonicalWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

    CanonicalWriter u8(int v) {
        out.write(v);
        return this;
    }

    CanonicalWriter u32(int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    CanonicalWriter u64(long v) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (v >>> shift));
        }
        return this;
    }

    CanonicalWriter fixed(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    CanonicalWriter bytes(byte[] b) {
        u32(b.length);
        out.writeBytes(b);
        return this;
    }

    CanonicalWriter string(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
