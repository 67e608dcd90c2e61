package org.hyphae.multiformats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MultihashTest {

    private static final HexFormat HEX = HexFormat.of();

    /** The sha2-256 example of multiformats.io/multihash. */
    @Test
    void sha256SpecExample() {
        Multihash mh = Multihash.sha2_256("Merkle–Damgård".getBytes(StandardCharsets.UTF_8));
        assertEquals("122041dd7b6443542e75701aa98a0c235951a28a0d851b11564d20022ab11d2589a8",
                HEX.formatHex(mh.bytes()));
        assertEquals(0x12, mh.code());
        assertEquals(32, mh.digestLength());
        assertEquals(34, mh.encodedLength());
        assertEquals(mh, Multihash.decode(mh.bytes()));
        assertTrue(mh.matches("Merkle–Damgård".getBytes(StandardCharsets.UTF_8)));
        assertFalse(mh.matches("Merkle-Damgard".getBytes(StandardCharsets.UTF_8)));
    }

    /** A truncated sha2-256 digest (multihash tests/values: 20 bytes of sha256("")). */
    @Test
    void truncatedDigestMatchesItsPrefix() {
        Multihash mh = Multihash.decode(HEX.parseHex("1214e3b0c44298fc1c149afbf4c8996fb92427ae41e4"));
        assertEquals(20, mh.digestLength());
        assertTrue(mh.matches(new byte[0]));
        assertFalse(mh.matches(new byte[1]));
    }

    @Test
    void identity() {
        byte[] data = HEX.parseHex("080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e");
        Multihash mh = Multihash.identity(data);
        assertEquals("0024" + HEX.formatHex(data), HEX.formatHex(mh.bytes()));
        assertArrayEquals(data, mh.digest());
        assertTrue(mh.matches(data));
        assertFalse(mh.matches(new byte[3]));
        assertEquals("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq", mh.toString());
    }

    @Test
    void base58TextAsIpfsShowsIt() {
        String text = "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N";
        Multihash mh = Multihash.fromBase58(text);
        assertEquals(text, mh.toString());
        assertEquals("12209dff3b17d74cf4d38a50d8b6383e92d181a10395a5e73a726dcccbd21bf6f0b9",
                HEX.formatHex(mh.bytes()));
    }

    @Test
    void multiByteCodeVarint() {
        Multihash mh = Multihash.of(0xb220, new byte[32]);
        assertEquals("a0e40220", HEX.formatHex(mh.bytes(), 0, 4));
        assertEquals(mh, Multihash.decode(mh.bytes()));
        UnsupportedOperationException e =
                assertThrows(UnsupportedOperationException.class, () -> mh.matches(new byte[0]));
        assertTrue(e.getMessage().contains("blake2b-256 (0xb220)"), e.getMessage());
    }

    @Test
    void unsupportedFunctionIsNamed() {
        Multihash sha512 = Multihash.of(0x13, new byte[64]);
        UnsupportedOperationException e =
                assertThrows(UnsupportedOperationException.class, () -> sha512.matches(new byte[0]));
        assertEquals("cannot verify multihash with hash function sha2-512 (0x13)", e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> Multihash.of(0x4242, new byte[1]).matches(new byte[0]));
    }

    @Test
    void decodeAtOffsetReportsLength() {
        byte[] buf = HEX.parseHex("ff" + "1203010203" + "ee");
        Multihash mh = Multihash.decode(buf, 1);
        assertEquals(5, mh.encodedLength());
        assertArrayEquals(new byte[] {1, 2, 3}, mh.digest());
    }

    @Test
    void defensiveCopies() {
        byte[] digest = {1, 2, 3};
        Multihash mh = Multihash.of(0x12, digest);
        digest[0] = 9;
        mh.digest()[1] = 9;
        mh.bytes()[0] = 9;
        assertEquals("1203010203", HEX.formatHex(mh.bytes()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",           // empty
        "12",         // no length
        "1220",       // no digest
        "122001",     // digest shorter than its length
        "8000",       // non-minimal code varint
        "128000",     // non-minimal length varint
    })
    void rejectsMalformed(String hex) {
        assertThrows(IllegalArgumentException.class, () -> Multihash.decode(HEX.parseHex(hex)));
    }

    @Test
    void malformedMessagesSayWhatAndWhere() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Multihash.decode(HEX.parseHex("120401")));
        assertEquals("truncated multihash at offset 0: digest length 4 but only 1 byte(s) follow", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Multihash.decode(HEX.parseHex("12010100")));
        assertEquals("1 trailing byte(s) after the multihash at offset 3", e.getMessage());
    }

    @Test
    void equality() {
        assertEquals(Multihash.of(0x12, new byte[] {1}), Multihash.of(0x12, new byte[] {1}));
        assertEquals(Multihash.of(0x12, new byte[] {1}).hashCode(), Multihash.of(0x12, new byte[] {1}).hashCode());
        assertNotEquals(Multihash.of(0x12, new byte[] {1}), Multihash.of(0x00, new byte[] {1}));
        assertThrows(IllegalArgumentException.class, () -> Multihash.of(-1, new byte[0]));
    }

    @Test
    void multicodecLookups() {
        assertEquals(Optional.of(Multicodec.SHA2_256), Multicodec.forCode(0x12));
        assertEquals(Optional.of(Multicodec.LIBP2P_KEY), Multicodec.forName("libp2p-key"));
        assertEquals(0x0129, Multicodec.forName("dag-json").orElseThrow().code());
        assertEquals(0x00, Multicodec.IDENTITY.code());
        assertEquals(0x55, Multicodec.RAW.code());
        assertEquals(0x70, Multicodec.DAG_PB.code());
        assertEquals(0x71, Multicodec.DAG_CBOR.code());
        assertEquals("dag-pb", Multicodec.DAG_PB.codecName());
        assertEquals(Optional.empty(), Multicodec.forCode(0x4242));
        assertEquals(Optional.empty(), Multicodec.forName("sha2_256"));
        assertEquals("0x4242", Multicodec.describe(0x4242));
        assertEquals("raw (0x55)", Multicodec.describe(0x55));
    }
}
