package org.hyphae.multiformats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidTest {

    private static final HexFormat HEX = HexFormat.of();

    /** The empty UnixFS directory, as CIDv0 and as CIDv1. */
    private static final String EMPTY_DIR_V0 = "QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n";
    private static final String EMPTY_DIR_V1 = "bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

    @Test
    void v0AndItsV1() {
        Cid v0 = Cid.parse(EMPTY_DIR_V0);
        assertEquals(0, v0.version());
        assertEquals(0x70, v0.codec());
        assertEquals(0x12, v0.multihash().code());
        assertEquals(EMPTY_DIR_V0, v0.toString());
        assertEquals(EMPTY_DIR_V0, v0.toString(Multibase.BASE58BTC));
        assertArrayEquals(v0.multihash().bytes(), v0.bytes());
        assertEquals(v0, Cid.decode(v0.bytes()));

        Cid v1 = v0.toV1();
        assertEquals(EMPTY_DIR_V1, v1.toString());
        assertEquals(v1, Cid.parse(EMPTY_DIR_V1));
        assertEquals(v0.multihash(), v1.multihash());
        assertNotEquals(v0, v1);
        assertSame(v1, v1.toV1());
        assertEquals("0170", HEX.formatHex(v1.bytes(), 0, 2));
    }

    /** The CID README's example: base58btc - cidv1 - raw - sha2-256-256-6e6ff795.... */
    @Test
    void readmeHumanReadableExample() {
        Cid cid = Cid.parse("zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA");
        assertEquals(1, cid.version());
        assertEquals(Multicodec.RAW.code(), cid.codec());
        assertEquals(Multicodec.SHA2_256.code(), cid.multihash().code());
        assertEquals("6e6ff7950a36187a801613426e858dce686cd7d7e3c0fc42ee0330072d245c95",
                HEX.formatHex(cid.multihash().digest()));
        assertEquals("zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA", cid.toString(Multibase.BASE58BTC));
    }

    /** One dag-pb CID in every base kubo prints that this library supports ({@code ipfs cid format -b}). */
    @ParameterizedTest
    @CsvSource({
        "BASE32, bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
        "BASE32UPPER, BAFYBEIGDYRZT5SFP7UDM7HU76UH7Y26NF3EFUYLQABF3OCLGTQY55FBZDI",
        "BASE16, f01701220c3c4733ec8affd06cf9e9ff50ffc6bcd2ec85a6170004bb709669c31de94391a",
        "BASE16UPPER, F01701220C3C4733EC8AFFD06CF9E9FF50FFC6BCD2EC85A6170004BB709669C31DE94391A",
        "BASE36, k2jmtxw8rjh1z69c6not3wtdxb0u3urbzhyll1t9jg6ox26dhi5sfi1m",
        "BASE36UPPER, K2JMTXW8RJH1Z69C6NOT3WTDXB0U3URBZHYLL1T9JG6OX26DHI5SFI1M",
        "BASE64URL, uAXASIMPEcz7Ir_0Gz56f9Q_8a80uyFphcABLtwlmnDHelDka",
        "BASE58BTC, zdj7Wic6KcJAfWz1c9o4M6kq9Lwd5BfbxkVafnrojaaGiSFxM",
    })
    void everyBase(Multibase base, String text) {
        Cid canonical = Cid.parse("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi");
        Cid cid = Cid.parse(text);
        assertEquals(canonical, cid);
        assertEquals(text, cid.toString(base));
        assertEquals("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", cid.toString());
    }

    /** A libp2p-key CID (an Ed25519 peer id) in several bases. */
    @ParameterizedTest
    @ValueSource(strings = {
        "bafzaajaiaejcbzdibmxyzdjbbehgvizh6g5tikvy47mshdy6gwbruvgwvd24seje",
        "BAFZAAJAIAEJCBZDIBMXYZDJBBEHGVIZH6G5TIKVY47MSHDY6GWBRUVGWVD24SEJE",
        "f0172002408011220e4680b2f8c8d21090e6aa327f1bb342ab8e7d9238f1e35831a54d6a8f5c91124",
        "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8",
        "K51QZI5UQU5DLVJ2BAXNQNDEPEB86CBK3NG7N3I46UZYXZYQJ2XJONZLLNV0V8",
        "z5AanNVJCxnWCzDzCerCejh6EdigZJnNfHrJGzTp5TT2moo7mRGhZZu",
    })
    void libp2pKeyInSeveralBases(String text) {
        Cid cid = Cid.parse(text);
        assertEquals(Multicodec.LIBP2P_KEY.code(), cid.codec());
        assertEquals(Multicodec.IDENTITY.code(), cid.multihash().code());
        assertEquals("bafzaajaiaejcbzdibmxyzdjbbehgvizh6g5tikvy47mshdy6gwbruvgwvd24seje", cid.toString());
        assertEquals("k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8", cid.toString(Multibase.BASE36));
    }

    @Test
    void base32AndBase36OfTheSamePeer() {
        assertEquals(Cid.parse("bafzaajaiaejca4syrpdu6gdx4wsdnokxkprgzxf4wrstuc34gxw5k5jrag2so5gk"),
                Cid.parse("k51qzi5uqu5dj16qyiq0tajolkojyl9qdkr254920wxv7ghtuwcz593tp69z9m"));
    }

    @Test
    void v1Construction() {
        Multihash mh = Multihash.sha2_256(new byte[0]);
        Cid cid = Cid.v1(Multicodec.RAW, mh);
        assertEquals(cid, Cid.v1(0x55, mh));
        assertEquals(cid.hashCode(), Cid.v1(0x55, mh).hashCode());
        assertEquals(cid, Cid.decode(cid.bytes()));
        assertEquals(cid, Cid.parse(cid.toString()));
        assertEquals(cid, Cid.parse(cid.toString(Multibase.BASE64)));
        Cid dagJson = Cid.v1(Multicodec.DAG_JSON, mh);
        assertEquals("01a902", HEX.formatHex(dagJson.bytes(), 0, 3));
        assertEquals(dagJson, Cid.parse(dagJson.toString()));
        assertThrows(IllegalArgumentException.class, () -> Cid.v1(-5, mh));
    }

    @Test
    void v0RequiresSha256With32Bytes() {
        assertThrows(IllegalArgumentException.class, () -> Cid.v0(Multihash.of(0x13, new byte[32])));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Cid.v0(Multihash.of(0x12, new byte[20])));
        assertEquals("CIDv0 requires a sha2-256 multihash with a 32-byte digest, got sha2-256 (0x12) with 20 byte(s)",
                e.getMessage());
    }

    @Test
    void v0OnlyInBase58() {
        Cid v0 = Cid.parse(EMPTY_DIR_V0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> v0.toString(Multibase.BASE32));
        assertTrue(e.getMessage().contains("toV1()"), e.getMessage());
    }

    @Test
    void multibaseEncodedV0IsRejected() {
        String v0InMultibase = "z" + EMPTY_DIR_V0;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cid.parse(v0InMultibase));
        assertTrue(e.getMessage().contains("CIDv0 must not be multibase-encoded"), e.getMessage());
    }

    @Test
    void reservedAndMalformedVersions() {
        byte[] mh = Multihash.sha2_256(new byte[0]).bytes();
        byte[] v2 = concat(HEX.parseHex("0270"), mh);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cid.decode(v2));
        assertEquals("reserved CID version 2", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Cid.decode(concat(HEX.parseHex("0370"), mh)));
        e = assertThrows(IllegalArgumentException.class, () -> Cid.decode(concat(HEX.parseHex("0070"), mh)));
        assertTrue(e.getMessage().startsWith("malformed CID: version 0"), e.getMessage());
        // 35 bytes starting like a CIDv0 are not one
        assertThrows(IllegalArgumentException.class, () -> Cid.decode(concat(mh, new byte[1])));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "01", "0170", "017012", "01701220", "0170122000"})
    void truncatedBinary(String hex) {
        assertThrows(IllegalArgumentException.class, () -> Cid.decode(HEX.parseHex(hex)));
    }

    @Test
    void trailingBytesAfterMultihash() {
        byte[] good = Cid.parse(EMPTY_DIR_V1).bytes();
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Cid.decode(concat(good, new byte[2])));
        assertEquals("2 trailing byte(s) after the CID's multihash at offset 36", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1",   // 45 characters: not a CIDv0, not multibase
        "QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR10",  // 46 characters with a '0'
        "bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyk1",
        "xafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
    })
    void badText(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cid.parse(text));
        if (!text.isEmpty()) {
            assertTrue(e.getMessage().contains(text), e.getMessage());
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
