package org.hyphae.multiformats;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The multiformats unsigned varint: an unsigned LEB128 integer, 7 bits per byte, least significant
 * group first, the high bit of each byte set when another byte follows.
 *
 * <p>As the <a href="https://github.com/multiformats/unsigned-varint">unsigned-varint spec</a>
 * requires, encodings are at most {@value #MAX_BYTES} bytes (63 bits, so every value is a
 * non-negative {@code long}) and must be minimal: decoding rejects a trailing {@code 0x00} group
 * (such as {@code 81 00} for 1) as well as overlong and truncated input.
 */
public final class Varint {

    /** The largest number of bytes an encoding may have. */
    public static final int MAX_BYTES = 9;

    /**
     * A decoded value together with the number of bytes its encoding took.
     *
     * @param value the decoded value, never negative
     * @param length the number of bytes consumed, 1 to {@value Varint#MAX_BYTES}
     */
    public record Decoded(long value, int length) {
    }

    private Varint() {
    }

    /**
     * Encodes a value.
     *
     * @param value a non-negative value
     * @return its minimal encoding, 1 to {@value #MAX_BYTES} bytes
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public static byte[] encode(long value) {
        byte[] out = new byte[encodedLength(value)];
        encodeInto(value, out, 0);
        return out;
    }

    /**
     * Returns the number of bytes {@link #encode(long)} produces for a value.
     *
     * @param value a non-negative value
     * @return 1 to {@value #MAX_BYTES}
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public static int encodedLength(long value) {
        checkEncodable(value);
        int bits = 64 - Long.numberOfLeadingZeros(value);
        return bits == 0 ? 1 : (bits + 6) / 7;
    }

    /**
     * Writes the encoding of a value into an array.
     *
     * @param value a non-negative value
     * @param dst the destination
     * @param offset where the first byte goes
     * @return the number of bytes written
     * @throws IllegalArgumentException if {@code value} is negative
     * @throws IndexOutOfBoundsException if the encoding does not fit at {@code offset}
     */
    public static int encodeInto(long value, byte[] dst, int offset) {
        int length = encodedLength(value);
        Objects.checkFromIndexSize(offset, length, dst.length);
        long v = value;
        for (int i = 0; i < length - 1; i++) {
            dst[offset + i] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        dst[offset + length - 1] = (byte) v;
        return length;
    }

    /**
     * Writes the encoding of a value at a buffer's position, advancing it.
     *
     * @param value a non-negative value
     * @param buffer the destination
     * @throws IllegalArgumentException if {@code value} is negative
     * @throws BufferOverflowException if the buffer has too little room (nothing is written then)
     */
    public static void writeTo(long value, ByteBuffer buffer) {
        int length = encodedLength(value);
        if (buffer.remaining() < length) {
            throw new BufferOverflowException();
        }
        byte[] tmp = new byte[length];
        encodeInto(value, tmp, 0);
        buffer.put(tmp);
    }

    /**
     * Writes the encoding of a value to a stream.
     *
     * @param value a non-negative value
     * @param out the destination
     * @throws IllegalArgumentException if {@code value} is negative
     * @throws IOException if the stream fails
     */
    public static void writeTo(long value, OutputStream out) throws IOException {
        out.write(encode(value));
    }

    /**
     * Decodes the varint starting at {@code offset}.
     *
     * @param buf the input
     * @param offset where the varint starts
     * @return the value
     * @throws IllegalArgumentException if the input there is truncated, longer than
     *     {@value #MAX_BYTES} bytes or not minimally encoded; the message gives the offset
     * @throws IndexOutOfBoundsException if {@code offset} is outside {@code buf}
     */
    public static long decode(byte[] buf, int offset) {
        return decodeWithLength(buf, offset).value();
    }

    /**
     * Decodes the varint starting at {@code offset} and reports how many bytes it took.
     *
     * @param buf the input
     * @param offset where the varint starts
     * @return the value and its encoded length
     * @throws IllegalArgumentException if the input there is truncated, longer than
     *     {@value #MAX_BYTES} bytes or not minimally encoded; the message gives the offset
     * @throws IndexOutOfBoundsException if {@code offset} is outside {@code buf}
     */
    public static Decoded decodeWithLength(byte[] buf, int offset) {
        Objects.checkIndex(offset, buf.length + 1);
        long value = 0;
        for (int i = 0; i < MAX_BYTES; i++) {
            int pos = offset + i;
            if (pos >= buf.length) {
                throw new IllegalArgumentException(
                        "truncated varint at offset " + offset + ": input ends after " + i + " byte(s)");
            }
            int b = buf[pos] & 0xFF;
            value |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                if (b == 0 && i > 0) {
                    throw new IllegalArgumentException(
                            "non-minimal varint at offset " + offset + ": " + (i + 1)
                                    + " bytes ending in 0x00");
                }
                return new Decoded(value, i + 1);
            }
        }
        throw new IllegalArgumentException(
                "varint at offset " + offset + " is longer than " + MAX_BYTES + " bytes");
    }

    /**
     * Decodes the varint at a buffer's position and advances the position past it. On failure the
     * position is left unchanged.
     *
     * @param buffer the input
     * @return the value
     * @throws IllegalArgumentException if the input is truncated, longer than {@value #MAX_BYTES}
     *     bytes or not minimally encoded; the message gives the buffer position
     */
    public static long decode(ByteBuffer buffer) {
        int start = buffer.position();
        int n = Math.min(MAX_BYTES, buffer.remaining());
        byte[] tmp = new byte[n];
        buffer.get(start, tmp, 0, n);
        Decoded d;
        try {
            d = decodeWithLength(tmp, 0);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    e.getMessage().replace("at offset 0", "at buffer position " + start), e);
        }
        buffer.position(start + d.length());
        return d.value();
    }

    /**
     * Reads one varint from a stream, consuming exactly its bytes.
     *
     * @param in the input
     * @return the value, or {@code -1} if the stream was already at its end
     * @throws EOFException if the stream ends inside the varint
     * @throws IllegalArgumentException if the varint is longer than {@value #MAX_BYTES} bytes or
     *     not minimally encoded
     * @throws IOException if the stream fails
     */
    public static long readFrom(InputStream in) throws IOException {
        long value = 0;
        for (int i = 0; i < MAX_BYTES; i++) {
            int b = in.read();
            if (b < 0) {
                if (i == 0) {
                    return -1;
                }
                throw new EOFException("stream ended inside a varint after " + i + " byte(s)");
            }
            value |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                if (b == 0 && i > 0) {
                    throw new IllegalArgumentException(
                            "non-minimal varint: " + (i + 1) + " bytes ending in 0x00");
                }
                return value;
            }
        }
        throw new IllegalArgumentException("varint is longer than " + MAX_BYTES + " bytes");
    }

    private static void checkEncodable(long value) {
        if (value < 0) {
            throw new IllegalArgumentException(
                    "varint value must be non-negative (at most 2^63-1), got " + Long.toUnsignedString(value));
        }
    }
}
