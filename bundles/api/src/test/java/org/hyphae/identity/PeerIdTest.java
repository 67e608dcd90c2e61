package org.hyphae.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.Optional;

import org.hyphae.multiformats.Multicodec;
import org.hyphae.multiformats.Multihash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PeerIdTest {

    private static final HexFormat HEX = HexFormat.of();

    // Test vectors of libp2p/specs peer-ids/peer-ids.md (public keys as PublicKey protobufs).
    private static final String SPEC_ED25519_PUBLIC =
            "080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
    private static final String SPEC_SECP256K1_PUBLIC =
            "08021221037777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99";
    private static final String SPEC_ECDSA_PUBLIC =
            "0803125b3059301306072a8648ce3d020106082a8648ce3d03010703420004de3d300fa36ae0e8f5d530899d83abab44ab"
                    + "f3161f162a4bc901d8e6ecda020e8b6d5f8da30525e71d6851510c098e5c47c646a597fb4dcec034e9f77c409e62";
    private static final String SPEC_RSA_PUBLIC = "080012a60430820222300d06092a864886f70d01010105000382020f003082020a0282020100"
            + "e1beab071d08200bde24eef00d049449b07770ff9910257b2d7d5dda242ce8f0e2f12e1af4b32d9efd2c090f66b0f29986dbb645"
            + "dae9880089704a94e5066d594162ae6ee8892e6ec70701db0a6c445c04778eb3de1293aa1a23c3825b85c6620a2bc3f82f9b0c30"
            + "9bc0ab3aeb1873282bebd3da03c33e76c21e9beb172fd44c9e43be32e2c99827033cf8d0f0c606f4579326c930eb4e854395ad94"
            + "1256542c793902185153c474bed109d6ff5141ebf9cd256cf58893a37f83729f97e7cb435ec679d2e33901d27bb35aa0d7e2056"
            + "1da08885ef0abbf8e2fb48d6a5487047a9ecb1ad41fa7ed84f6e3e8ecd5d98b3982d2a901b4454991766da295ab78822add5612"
            + "a2df83bcee814cf50973e80d7ef38111b1bd87da2ae92438a2c8cbcc70b31ee319939a3b9c761dbc13b5c086d6b64bf7ae7dacc1"
            + "4622375d92a8ff9af7eb962162bbddebf90acb32adb5e4e4029f1c96019949ecfbfeffd7ac1e3fbcc6b6168c34be3d5a2e5999fc"
            + "bb39bba7adbca78eab09b9bc39f7fa4b93411f4cc175e70c0a083e96bfaefb04a9580b4753c1738a6a760ae1afd851a1a4bdad23"
            + "1cf56e9284d832483df215a46c1c21bdf0c6cfe951c18f1ee4078c79c13d63edb6e14feaeffabc90ad317e4875fe648101b08640"
            + "97e998f0ca3025ef9638cd2b0caecd3770ab54a1d9c6ca959b0f5dcbc90caeefc4135baca6fd475224269bbe1b0203010001";

    /** The spec's Ed25519 vector; the base58 id also appears in other implementations' tests. */
    @Test
    void specEd25519Vector() {
        byte[] proto = HEX.parseHex(SPEC_ED25519_PUBLIC);
        PeerId id = PeerId.fromPublicKeyProtobuf(proto);
        assertEquals("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq", id.toBase58());
        assertEquals(id.toBase58(), id.toString());
        assertEquals("bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6", id.toCid());
        assertEquals(Multicodec.IDENTITY.code(), id.multihash().code());
        assertEquals("0024" + SPEC_ED25519_PUBLIC, HEX.formatHex(id.bytes()));
        assertArrayEquals(proto, id.publicKeyProtobuf().orElseThrow());
        byte[] raw = HEX.parseHex("1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e");
        assertArrayEquals(raw, id.ed25519PublicKey().orElseThrow());
        assertEquals(id, PeerId.fromEd25519PublicKey(raw));
        assertEquals(id, PeerId.fromPublicKey(KeyType.ED25519, raw));
        assertEquals(id, PeerId.parse(id.toBase58()));
        assertEquals(id, PeerId.parse(id.toCid()));
        assertEquals(id, PeerId.fromBytes(id.bytes()));
        assertEquals(id, PeerId.fromMultihash(id.multihash()));
        assertEquals(new PeerId.PublicKey(KeyType.ED25519, raw), id.publicKey().orElseThrow());
    }

    /** Peer ids printed in the spec and go-multiaddr's tests, in both text forms. */
    @ParameterizedTest
    @CsvSource({
        // peer-ids.md: the same sha256 peer as a CID and as a base58 multihash
        "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N, bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe",
        // go-multiaddr TestConstructSucceeds
        "12D3KooWCryG7Mon9orvQxcS1rYZjotPgpwoJNHHKcLLfE4Hf5mV, bafzaajaiaejcalj543iwv2d7pkjt7ykvefrkfu7qjfi6sduakhso4lay6abn2d5u",
        // peer-ids.md example, whose key is 2ffa35a9...
        "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA, bafzaajaiaejcal72gwuz2or47oyxxn6b3rkwdmmkrxgkjxzy3rqt5kczyn7lcm3l",
        // js-multiaddr getPeerId tests
        "QmckZzdVd72h9QUFuJJpQqhsZqGLwjhh81qSvZ9BhB2FQi, bafzbeigweq4zr4x4ky2dvv7nanbkw6egutvrrvzw6g3h2rftp7gidyhtt4",
        "QmW8rAgaaA6sRydK1k6vonShQME47aDxaFidbtMevWs73t, bafzbeidt255unskpefjmqb2rc27vjuyxopkxgaylxij6pw35hhys4vnyp4",
    })
    void base58AndCidForms(String base58, String cid) {
        PeerId a = PeerId.parse(base58);
        PeerId b = PeerId.parse(cid);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(base58, b.toString());
        assertEquals(cid, a.toCid());
    }

    @Test
    void specExampleKeyIsExtractable() {
        PeerId id = PeerId.parse("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA");
        assertEquals("2ffa35a99d3a3cfbb17bb7c1dc5561b18a8dcca4df38dc613ea859c37eb1336b",
                HEX.formatHex(id.ed25519PublicKey().orElseThrow()));
    }

    @Test
    void otherCidBasesOfAPeerId() {
        PeerId id = PeerId.parse("bafzaajaiaejcbzdibmxyzdjbbehgvizh6g5tikvy47mshdy6gwbruvgwvd24seje");
        assertEquals(id, PeerId.parse("k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8"));
        assertEquals(id, PeerId.parse("z5AanNVJCxnWCzDzCerCejh6EdigZJnNfHrJGzTp5TT2moo7mRGhZZu"));
        assertEquals(id, PeerId.parse("f0172002408011220e4680b2f8c8d21090e6aa327f1bb342ab8e7d9238f1e35831a54d6a8f5c91124"));
    }

    @Test
    void secp256k1KeyIsInlined() {
        PeerId id = PeerId.fromPublicKeyProtobuf(HEX.parseHex(SPEC_SECP256K1_PUBLIC));
        assertEquals(Multicodec.IDENTITY.code(), id.multihash().code());
        assertTrue(id.toBase58().startsWith("16Uiu2HAm"), id.toBase58());
        assertEquals("16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLpY", id.toBase58());
        assertEquals(KeyType.SECP256K1, id.publicKey().orElseThrow().type());
        assertEquals(Optional.empty(), id.ed25519PublicKey());
        assertEquals(id, PeerId.parse(id.toBase58()));
    }

    @Test
    void rsaAndEcdsaKeysAreHashed() {
        byte[] rsa = HEX.parseHex(SPEC_RSA_PUBLIC);
        PeerId rsaId = PeerId.fromPublicKeyProtobuf(rsa);
        assertEquals(Multihash.sha2_256(rsa), rsaId.multihash());
        assertEquals("QmaeANgBs1DTSxWSrPPtobgQuxW8XTfsS4ydbK4rCHzqxG", rsaId.toBase58());
        assertEquals(Optional.empty(), rsaId.publicKeyProtobuf());
        assertEquals(Optional.empty(), rsaId.publicKey());
        // Type RSA is 0 but still written: the spec requires every field.
        byte[] der = java.util.Arrays.copyOfRange(rsa, 5, rsa.length);
        assertEquals(rsaId, PeerId.fromPublicKey(KeyType.RSA, der));
        assertArrayEquals(rsa, new PeerId.PublicKey(KeyType.RSA, der).encode());

        byte[] ecdsa = HEX.parseHex(SPEC_ECDSA_PUBLIC);
        PeerId ecdsaId = PeerId.fromPublicKeyProtobuf(ecdsa);
        assertEquals(Multihash.sha2_256(ecdsa), ecdsaId.multihash());
        assertTrue(ecdsaId.toBase58().startsWith("Qm"));
    }

    @Test
    void inlineLimitIs42Bytes() {
        // 2 + 2 + 38 = 42 bytes: inlined; one more byte: hashed.
        PeerId inlined = PeerId.fromPublicKey(KeyType.SECP256K1, new byte[38]);
        assertEquals(Multicodec.IDENTITY.code(), inlined.multihash().code());
        assertEquals(42, inlined.multihash().digestLength());
        PeerId hashed = PeerId.fromPublicKey(KeyType.SECP256K1, new byte[39]);
        assertEquals(Multicodec.SHA2_256.code(), hashed.multihash().code());
    }

    @Test
    void rejectsCidsWithAnotherCodec() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PeerId.parse("bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"));
        assertEquals("invalid peer id \"bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku\": "
                + "CID codec is dag-pb (0x70), a peer id needs libp2p-key (0x72)", e.getMessage());
        // go-multiaddr TestInvalidP2PAddrString: a base36 CID with a non-libp2p-key codec
        assertThrows(IllegalArgumentException.class,
                () -> PeerId.parse("k2jmtxwoe2phm1hbqp0e7nufqf6umvuu2e9qd7ana7h411a0haqj6i2z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3p",   // one character short
        "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3p0",  // '0' is not base58
        "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5",        // truncated digest
        "?unknownmultibase",
        "k2k4r8oqamigqdo6o7hsbfwd45y70oyynp98usk7zmyfrzpqxh1pohl-",
    })
    void rejectsBadText(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PeerId.parse(text));
        assertTrue(e.getMessage().startsWith("invalid peer id \"" + text + "\": "), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
        "'', 'empty input'",
        "1201, 'expected field 1 (Type) tag 0x08 at offset 0, got 0x12'",
        "0801, 'missing field 2 (Data) at offset 2'",
        "0809120101, 'unknown libp2p key type 9'",
        "08011201, 'truncated Data: length 1 but only 0 byte(s) follow at offset 4'",
        "0801120100aa, '1 unexpected byte(s) after the Data field at offset 5'",
        "08011a0100, 'expected field 2 (Data) tag 0x12 at offset 2, got 0x1a'",
        "0881001200, 'non-minimal varint at offset 1: 2 bytes ending in 0x00'",
        "080112021234, 'Ed25519 public key must be 32 bytes, got 2'",
        "08021200, 'empty SECP256K1 public key data'",
    })
    void rejectsMalformedPublicKeyProtobufs(String hex, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PeerId.fromPublicKeyProtobuf(HEX.parseHex(hex)));
        assertTrue(e.getMessage().startsWith("invalid libp2p PublicKey protobuf: " + why), e.getMessage());
    }

    @Test
    void rejectsFieldsInTheWrongOrder() {
        byte[] swapped = HEX.parseHex("12201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e0801");
        assertThrows(IllegalArgumentException.class, () -> PeerId.fromPublicKeyProtobuf(swapped));
    }

    @Test
    void fromMultihashAcceptsOnlyPeerIdMultihashes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PeerId.fromMultihash(Multihash.of(0x13, new byte[64])));
        assertEquals("peer id multihash must be identity or sha2-256, got sha2-512 (0x13)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PeerId.fromMultihash(Multihash.of(0x12, new byte[20])));
        assertThrows(IllegalArgumentException.class,
                () -> PeerId.fromMultihash(Multihash.identity(new PeerId.PublicKey(KeyType.RSA, new byte[60]).encode())));
        assertThrows(IllegalArgumentException.class, () -> PeerId.fromMultihash(Multihash.identity(new byte[] {1, 2})));
        // sha2-256 of an Ed25519 key: the form go-libp2p used before inlining; still a valid id
        PeerId hashedEd = PeerId.fromMultihash(Multihash.sha2_256(HEX.parseHex(SPEC_ED25519_PUBLIC)));
        assertFalse(hashedEd.ed25519PublicKey().isPresent());
    }

    @Test
    void publicKeyRecordIsImmutable() {
        byte[] raw = new byte[32];
        PeerId.PublicKey key = new PeerId.PublicKey(KeyType.ED25519, raw);
        raw[0] = 1;
        key.data()[1] = 1;
        assertArrayEquals(new byte[32], key.data());
        assertEquals(key, PeerId.PublicKey.decode(key.encode()));
        assertEquals(key.hashCode(), PeerId.PublicKey.decode(key.encode()).hashCode());
        PeerId id = key.toPeerId();
        id.bytes()[0] = 9;
        id.ed25519PublicKey().orElseThrow()[0] = 9;
        id.publicKeyProtobuf().orElseThrow()[0] = 9;
        assertEquals(key.toPeerId(), id);
        assertEquals("0024", HEX.formatHex(id.bytes(), 0, 2));
    }

    @Test
    void equality() {
        PeerId a = PeerId.fromEd25519PublicKey(new byte[32]);
        PeerId b = PeerId.fromEd25519PublicKey(new byte[32]);
        byte[] other = new byte[32];
        other[31] = 1;
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, PeerId.fromEd25519PublicKey(other));
        assertThrows(IllegalArgumentException.class, () -> PeerId.fromEd25519PublicKey(new byte[31]));
    }

    @Test
    void keyTypeNumbers() {
        assertEquals(0, KeyType.RSA.number());
        assertEquals(1, KeyType.ED25519.number());
        assertEquals(2, KeyType.SECP256K1.number());
        assertEquals(3, KeyType.ECDSA.number());
        assertEquals(KeyType.ECDSA, KeyType.forNumber(3));
        assertThrows(IllegalArgumentException.class, () -> KeyType.forNumber(4));
        assertThrows(IllegalArgumentException.class, () -> KeyType.forNumber(-1));
    }
}
