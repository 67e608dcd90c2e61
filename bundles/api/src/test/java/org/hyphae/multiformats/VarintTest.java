package org.hyphae.multiformats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class VarintTest {

    private static final HexFormat HEX = HexFormat.of();

    /** The examples of the unsigned-varint spec, plus 0 and the 9-byte maximum. */
    @ParameterizedTest
    @CsvSource({
        "0, 00",
        "1, 01",
        "127, 7f",
        "128, 8001",
        "255, ff01",
        "300, ac02",
        "16384, 808001",
        "9223372036854775807, ffffffffffffffff7f",
    })
    void specExamples(long value, String hex) {
        byte[] encoded = Varint.encode(value);
        assertEquals(hex, HEX.formatHex(encoded));
        assertEquals(encoded.length, Varint.encodedLength(value));
        assertEquals(value, Varint.decode(encoded, 0));
        assertEquals(new Varint.Decoded(value, encoded.length), Varint.decodeWithLength(encoded, 0));
    }

    @Test
    void lengthsGrowEverySevenBits() {
        for (int bits = 0; bits < 63; bits++) {
            long v = 1L << bits;
            assertEquals(bits / 7 + 1, Varint.encodedLength(v), "2^" + bits);
            assertEquals(v, Varint.decode(Varint.encode(v), 0));
            assertEquals(v - 1, Varint.decode(Varint.encode(v - 1), 0));
        }
    }

    @Test
    void decodesAtAnOffset() {
        byte[] buf = HEX.parseHex("ffac02ff");
        assertEquals(new Varint.Decoded(300, 2), Varint.decodeWithLength(buf, 1));
    }

    @Test
    void rejectsNegativeValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Varint.encode(-1));
        assertTrue(e.getMessage().contains("non-negative"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"8100", "ff00", "808000", "8080808080808080" + "00"})
    void rejectsNonMinimalEncodings(String hex) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Varint.decode(HEX.parseHex(hex), 0));
        assertTrue(e.getMessage().startsWith("non-minimal varint at offset 0"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "80", "ff", "8080", "ffffffffffffffff"})
    void rejectsTruncatedInput(String hex) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Varint.decode(HEX.parseHex(hex), 0));
        assertTrue(e.getMessage().startsWith("truncated varint at offset 0"), e.getMessage());
    }

    @Test
    void rejectsMoreThanNineBytes() {
        byte[] ten = HEX.parseHex("ffffffffffffffffff01");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Varint.decode(ten, 0));
        assertEquals("varint at offset 0 is longer than 9 bytes", e.getMessage());
        byte[] padded = HEX.parseHex("00" + "80808080808080808001");
        e = assertThrows(IllegalArgumentException.class, () -> Varint.decode(padded, 1));
        assertTrue(e.getMessage().contains("offset 1"), e.getMessage());
    }

    @Test
    void messageGivesTheOffset() {
        byte[] buf = HEX.parseHex("0102038100");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Varint.decode(buf, 3));
        assertTrue(e.getMessage().contains("at offset 3"), e.getMessage());
    }

    @Test
    void byteBufferReadAdvancesOnlyOnSuccess() {
        ByteBuffer buf = ByteBuffer.wrap(HEX.parseHex("05ac0280"));
        assertEquals(5, Varint.decode(buf));
        assertEquals(300, Varint.decode(buf));
        assertEquals(3, buf.position());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Varint.decode(buf));
        assertTrue(e.getMessage().contains("buffer position 3"), e.getMessage());
        assertEquals(3, buf.position());
    }

    @Test
    void byteBufferWrite() {
        ByteBuffer buf = ByteBuffer.allocate(3);
        Varint.writeTo(300, buf);
        assertEquals(2, buf.position());
        assertThrows(BufferOverflowException.class, () -> Varint.writeTo(300, buf));
        assertEquals(2, buf.position());
        Varint.writeTo(1, buf);
        assertArrayEquals(HEX.parseHex("ac0201"), buf.array());
    }

    @Test
    void streams() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Varint.writeTo(16384, out);
        Varint.writeTo(0, out);
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        assertEquals(16384, Varint.readFrom(in));
        assertEquals(0, Varint.readFrom(in));
        assertEquals(-1, Varint.readFrom(in));
        assertThrows(EOFException.class, () -> Varint.readFrom(new ByteArrayInputStream(HEX.parseHex("8080"))));
        assertThrows(IllegalArgumentException.class,
                () -> Varint.readFrom(new ByteArrayInputStream(HEX.parseHex("8100"))));
    }

    @Test
    void encodeIntoChecksRoom() {
        byte[] dst = new byte[2];
        assertThrows(IndexOutOfBoundsException.class, () -> Varint.encodeInto(16384, dst, 0));
        assertEquals(2, Varint.encodeInto(300, dst, 0));
        assertArrayEquals(HEX.parseHex("ac02"), dst);
    }
}
