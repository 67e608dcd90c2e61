package org.hyphae.multiformats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Vectors from multiformats/multibase tests/*.csv. */
class MultibaseTest {

    private static final String DECENTRALIZE = "Decentralize everything!!";
    private static final String YES_MANI = "yes mani !";
    private static final String ZERO_YES_MANI = "\u0000yes mani !";
    private static final String ZERO_ZERO_YES_MANI = "\u0000\u0000yes mani !";

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        // test1.csv
        "BASE16, f446563656e7472616c697a652065766572797468696e672121, " + DECENTRALIZE,
        "BASE16UPPER, F446563656E7472616C697A652065766572797468696E672121, " + DECENTRALIZE,
        "BASE32, birswgzloorzgc3djpjssazlwmvzhs5dinfxgoijb, " + DECENTRALIZE,
        "BASE32UPPER, BIRSWGZLOORZGC3DJPJSSAZLWMVZHS5DINFXGOIJB, " + DECENTRALIZE,
        "BASE36, k343ixo7d49hqj1ium15pgy1wzww5fxrid21td7l, " + DECENTRALIZE,
        "BASE36UPPER, K343IXO7D49HQJ1IUM15PGY1WZWW5FXRID21TD7L, " + DECENTRALIZE,
        "BASE58BTC, zUXE7GvtEk8XTXs1GF8HSGbVA9FCX9SEBPe, " + DECENTRALIZE,
        "BASE64, mRGVjZW50cmFsaXplIGV2ZXJ5dGhpbmchIQ, " + DECENTRALIZE,
        "BASE64URL, uRGVjZW50cmFsaXplIGV2ZXJ5dGhpbmchIQ, " + DECENTRALIZE,
        // basic.csv
        "BASE16, f796573206d616e692021, " + YES_MANI,
        "BASE32, bpfsxgidnmfxgsibb, " + YES_MANI,
        "BASE36, k2lcpzo5yikidynfl, " + YES_MANI,
        "BASE58BTC, z7paNL19xttacUY, " + YES_MANI,
        "BASE64, meWVzIG1hbmkgIQ, " + YES_MANI,
        "BASE64URL, ueWVzIG1hbmkgIQ, " + YES_MANI,
    })
    void specVectors(Multibase base, String encoded, String text) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        assertEquals(encoded, base.encode(data));
        assertEquals(encoded.substring(1), base.encodeRaw(data));
        assertArrayEquals(data, Multibase.decode(encoded));
        assertArrayEquals(data, base.decodeRaw(encoded.substring(1)));
        assertEquals(base, Multibase.forPrefix(encoded.charAt(0)));
    }

    /** leading_zero.csv and two_leading_zeros.csv: zero bytes survive every base. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "BASE16, f00796573206d616e692021, 1",
        "BASE32, bab4wk4zanvqw42jaee, 1",
        "BASE36, k02lcpzo5yikidynfl, 1",
        "BASE58BTC, z17paNL19xttacUY, 1",
        "BASE64, mAHllcyBtYW5pICE, 1",
        "BASE64URL, uAHllcyBtYW5pICE, 1",
        "BASE16, f0000796573206d616e692021, 2",
        "BASE32, baaahszltebwwc3tjeaqq, 2",
        "BASE36, k002lcpzo5yikidynfl, 2",
        "BASE58BTC, z117paNL19xttacUY, 2",
        "BASE64, mAAB5ZXMgbWFuaSAh, 2",
        "BASE64URL, uAAB5ZXMgbWFuaSAh, 2",
    })
    void leadingZeros(Multibase base, String encoded, int zeros) {
        String text = zeros == 1 ? ZERO_YES_MANI : ZERO_ZERO_YES_MANI;
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        assertEquals(encoded, base.encode(data));
        assertArrayEquals(data, Multibase.decode(encoded));
    }

    /** case_insensitivity.csv: base16, base32 and base36 decode whatever the case ("hello world"). */
    @ParameterizedTest
    @CsvSource({
        "f68656c6c6f20776F726C64",
        "F68656c6c6f20776F726C64",
        "bnbswy3dpeB3W64TMMQ",
        "Bnbswy3dpeB3W64TMMQ",
        "kfUvrsIvVnfRbjWaJo",
        "KfUVrSIVVnFRbJWAJo",
    })
    void caseInsensitiveBases(String encoded) {
        assertEquals("hello world", new String(Multibase.decode(encoded), StandardCharsets.UTF_8));
    }

    @Test
    void bitcoinLeadingZeros() {
        assertEquals("z", Multibase.BASE58BTC.encode(new byte[0]));
        assertEquals("1", Multibase.BASE58BTC.encodeRaw(new byte[1]));
        assertEquals("111", Multibase.BASE58BTC.encodeRaw(new byte[3]));
        assertEquals("11112", Multibase.BASE58BTC.encodeRaw(new byte[] {0, 0, 0, 0, 1}));
        assertArrayEquals(new byte[] {0, 0, 0}, Multibase.BASE58BTC.decodeRaw("111"));
        assertEquals("5R", Multibase.BASE58BTC.encodeRaw(new byte[] {0x01, 0x00}));
        assertArrayEquals(new byte[] {0x01, 0x00}, Multibase.BASE58BTC.decodeRaw("5R"));
    }

    @ParameterizedTest
    @EnumSource(Multibase.class)
    void randomRoundTrips(Multibase base) {
        Random random = new Random(42);
        for (int length = 0; length < 70; length++) {
            byte[] data = new byte[length];
            random.nextBytes(data);
            if (length % 5 == 0 && length > 0) {
                data[0] = 0;
            }
            String encoded = base.encode(data);
            assertEquals(base.prefix(), encoded.charAt(0));
            assertArrayEquals(data, Multibase.decode(encoded), base + " length " + length);
        }
    }

    @Test
    void badBase58CharacterNamesCharacterAndPosition() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Multibase.decode("z7paNL0xtt"));
        assertEquals("invalid base58btc character '0' at position 6 in \"z7paNL0xtt\"", e.getMessage());
        for (String bad : new String[] {"O", "I", "l", "+", " "}) {
            assertThrows(IllegalArgumentException.class, () -> Multibase.BASE58BTC.decodeRaw("abc" + bad));
        }
        e = assertThrows(IllegalArgumentException.class, () -> Multibase.BASE58BTC.decodeRaw("ab\u00e9"));
        assertEquals("invalid base58btc character U+00E9 at position 2 in \"ab\u00e9\"", e.getMessage());
    }

    @Test
    void badCharactersInOtherBases() {
        assertThrows(IllegalArgumentException.class, () -> Multibase.decode("bpfsxg1dnmfxgsibb"));
        assertThrows(IllegalArgumentException.class, () -> Multibase.decode("f79zz"));
        assertThrows(IllegalArgumentException.class, () -> Multibase.decode("meWVzIG1hbmkgIQ-"));
        assertThrows(IllegalArgumentException.class, () -> Multibase.decode("ueWVzIG1hbmkgIQ+"));
        assertThrows(IllegalArgumentException.class, () -> Multibase.decode("k2lcpzo5yik_dynfl"));
        // non-ASCII letters whose lower case is ASCII ('\u0130' -> 'i', Kelvin sign -> 'k') are not digits
        assertThrows(IllegalArgumentException.class, () -> Multibase.decode("bnb\u0130wy3dpeb3w64tmmq"));
        assertThrows(IllegalArgumentException.class, () -> Multibase.decode("k2lcpzo5yi\u212Aidynfl"));
    }

    @Test
    void rejectsPaddingWrongLengthsAndNonZeroTrailingBits() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Multibase.decode("meWVzIG1hbmkgIQ=="));
        assertEquals("invalid base64 character '=' at position 15 in \"meWVzIG1hbmkgIQ==\"", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Multibase.decode("bpfsxgidnmfxgsibb======"));
        // an odd number of hex digits, one base32 character too many
        assertThrows(IllegalArgumentException.class, () -> Multibase.decode("f796"));
        assertThrows(IllegalArgumentException.class, () -> Multibase.decode("bpfsxgidnmfxgsibba"));
        // "hello world" is ...mmq; 'r' leaves a 1 in the unused trailing bits
        e = assertThrows(IllegalArgumentException.class, () -> Multibase.decode("bnbswy3dpeb3w64tmmr"));
        assertEquals("invalid base32 text: non-zero trailing bits in the last character at position 18",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Multibase.decode("meWVzIG1hbmkgIR"));
    }

    @Test
    void unknownPrefixAndEmptyInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Multibase.decode("Qmfoo"));
        assertEquals("unsupported multibase prefix 'Q' (U+0051)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Multibase.forPrefix('c'));
        e = assertThrows(IllegalArgumentException.class, () -> Multibase.decode(""));
        assertEquals("empty multibase string", e.getMessage());
        assertArrayEquals(new byte[0], Multibase.decode("b"));
    }

    @Test
    void names() {
        assertEquals("base58btc", Multibase.BASE58BTC.encodingName());
        assertEquals('z', Multibase.BASE58BTC.prefix());
        assertEquals('u', Multibase.BASE64URL.prefix());
    }
}
