package org.hyphae.consensus.bft.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Big-endian writer of the engine's messages and seals. */
final class WireWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(128);

    WireWriter u8(int v) {
        out.write(v);
        return this;
    }

    WireWriter u16(int v) {
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    WireWriter u32(int v) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            out.write(v >>> shift);
        }
        return this;
    }

    WireWriter u64(long v) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (v >>> shift));
        }
        return this;
    }

    WireWriter fixed(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    /** Bytes with a 4-byte length. */
    WireWriter bytes(byte[] b) {
        return u32(b.length).fixed(b);
    }

    WireWriter string(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
