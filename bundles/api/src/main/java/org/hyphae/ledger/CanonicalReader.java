package org.hyphae.ledger;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Reads {@link CanonicalWriter}'s form strictly: every length checked against what remains and a
 * limit, trailing bytes refused. Errors are {@link IllegalArgumentException}s naming the field and
 * the offset.
 */
final class CanonicalReader {

    private final String what;
    private final byte[] in;
    private int pos;

    CanonicalReader(String what, byte[] in) {
        this.what = what;
        this.in = in;
    }

    int position() {
        return pos;
    }

    private void need(int n, String field) {
        if (n < 0 || in.length - pos < n) {
            throw fail(field, "needs " + n + " byte(s), " + (in.length - pos) + " left");
        }
    }

    IllegalArgumentException fail(String field, String why) {
        return new IllegalArgumentException(what + ": field " + field + " at offset " + pos + ": " + why);
    }

    int u8(String field) {
        need(1, field);
        return in[pos++] & 0xff;
    }

    int u32(String field) {
        need(4, field);
        int v = ((in[pos] & 0xff) << 24) | ((in[pos + 1] & 0xff) << 16) | ((in[pos + 2] & 0xff) << 8) | (in[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    long u64(String field) {
        need(8, field);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (in[pos + i] & 0xff);
        }
        pos += 8;
        return v;
    }

    byte[] fixed(int n, String field) {
        need(n, field);
        byte[] b = Arrays.copyOfRange(in, pos, pos + n);
        pos += n;
        return b;
    }

    byte[] bytes(int max, String field) {
        int n = u32(field + " length");
        if (n < 0 || n > max) {
            throw fail(field, "length " + Integer.toUnsignedString(n) + " exceeds the limit of " + max);
        }
        return fixed(n, field);
    }

    String string(int max, String field) {
        byte[] b = bytes(max, field);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw fail(field, "not UTF-8");
        }
    }

    void end() {
        if (pos != in.length) {
            throw fail("end", (in.length - pos) + " unexpected trailing byte(s)");
        }
    }
}
