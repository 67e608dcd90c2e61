package org.hyphae.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.hyphae.identity.KeyType;
import org.hyphae.identity.PeerId;
import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multibase;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.multiformats.Multihash;
import org.hyphae.multiformats.Varint;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.MultiaddrProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Peer ids, multiaddrs and CIDs: Hyphae's {@code org.hyphae.api} value types against
 * {@code @libp2p/peer-id}, {@code @libp2p/crypto}, {@code @multiformats/multiaddr} and
 * {@code multiformats} from npm, in both directions (each side parses what the other wrote).
 */
class MultiformatsInteropTest {

    private static final int RANDOM_KEYS = 40;
    private static final long SEED = Long.getLong("hyphae.interop.seed", 0x4879706861654cL);

    private static final String PEER_A = "12D3KooWKnDdG3iXw9eTFijk3EWSunZcFi54Zka4wmtqtt6rPxc8";
    private static final String PEER_B = "12D3KooWK8nRpgjbKoKkxLVmxGGzkzLBPU6sqQrya3sRwChVwaGo";
    /** A hashed (sha2-256, "RSA style") peer id. */
    private static final String PEER_QM = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG";
    private static final String CERTHASH = "uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g";

    private static JsProcess js;
    private final Random random = new Random(SEED);

    @BeforeAll
    static void startOracle() {
        js = JsProcess.start("multiformats-oracle.mjs");
    }

    @AfterAll
    static void stopOracle() {
        if (js != null) {
            js.close();
        }
    }

    // ---- peer ids -------------------------------------------------------------------

    @Test
    void peerIdsOfRandomEd25519KeysAgree() {
        for (int i = 0; i < RANDOM_KEYS; i++) {
            byte[] raw = randomBytes(32);
            String what = "Ed25519 key " + Hex.encode(raw) + " (seed " + SEED + ")";
            PeerId hyphae = PeerId.fromEd25519PublicKey(raw);
            byte[] proto = hyphae.publicKeyProtobuf().orElseThrow();
            assertArrayEquals(concat(Hex.decode("08011220"), raw), proto, "PublicKey protobuf of " + what);

            JsonNode fromJs = js.call("peerIdFromPublicKeyProto", "hex", proto);
            assertEquals(fromJs.get("base58").asText(), hyphae.toBase58(), "base58 peer id of " + what);
            assertEquals(fromJs.get("cid").asText(), hyphae.toCid(), "CID peer id of " + what);
            assertArrayEquals(Hex.field(fromJs, "multihashHex"), hyphae.bytes(), "peer id bytes of " + what);
            assertEquals(hyphae, PeerId.fromPublicKeyProtobuf(proto));

            // Each side parses the other's text back to the same key.
            for (String text : List.of(fromJs.get("base58").asText(), fromJs.get("cid").asText())) {
                PeerId parsed = PeerId.parse(text);
                assertEquals(hyphae, parsed, "Hyphae parsing js's " + text);
                assertArrayEquals(proto, parsed.publicKeyProtobuf().orElseThrow(), "key in " + text);
                assertArrayEquals(raw, parsed.ed25519PublicKey().orElseThrow());
            }
            for (String text : List.of(hyphae.toBase58(), hyphae.toCid(), base36Cid(hyphae))) {
                JsonNode parsed = js.call("parsePeerId", "text", text);
                assertEquals("Ed25519", parsed.get("type").asText(), text);
                assertEquals(hyphae.toBase58(), parsed.get("base58").asText(), "js parsing Hyphae's " + text);
                assertArrayEquals(proto, Hex.field(parsed, "publicKeyProtoHex"), "key js reads from " + text);
            }
        }
    }

    @Test
    void knownPeerIdsParseAlikeOnBothSides() {
        for (String text : List.of(PEER_A, PEER_B, PEER_QM)) {
            JsonNode fromJs = js.call("parsePeerId", "text", text);
            PeerId hyphae = PeerId.parse(text);
            assertEquals(fromJs.get("base58").asText(), hyphae.toBase58());
            assertEquals(fromJs.get("cid").asText(), hyphae.toCid(), "CID form of " + text);
            assertArrayEquals(Hex.field(fromJs, "multihashHex"), hyphae.bytes());
            assertEquals(fromJs.has("publicKeyProtoHex"), hyphae.publicKeyProtobuf().isPresent(),
                    "whether " + text + " inlines its key");
            assertEquals(hyphae, PeerId.parse(fromJs.get("cid").asText()));
            assertEquals(hyphae.toBase58(), js.call("parsePeerId", "text", hyphae.toCid()).get("base58").asText());
        }
        assertEquals(KeyType.ED25519, PeerId.parse(PEER_A).publicKey().orElseThrow().type());
    }

    @Test
    void privateKeyProtobufFromJsGivesThePeerIdHyphaeDerives() {
        for (int i = 0; i < 5; i++) {
            JsonNode key = js.call("generateKey");
            byte[] publicProto = Hex.field(key, "publicKeyProtoHex");
            assertEquals(key.get("base58").asText(), PeerId.fromPublicKeyProtobuf(publicProto).toBase58());
            assertEquals(key.get("cid").asText(), PeerId.fromPublicKeyProtobuf(publicProto).toCid());
            assertEquals(key.get("base58").asText(),
                    PeerId.fromEd25519PublicKey(Hex.field(key, "publicKeyRawHex")).toBase58());
            JsonNode again = js.call("peerIdFromPrivateKeyProto", "hex", Hex.field(key, "privateKeyProtoHex"));
            assertEquals(key.get("base58").asText(), again.get("base58").asText());
        }
    }

    /** secp256k1 keys inline in an identity multihash; RSA keys are too long and are hashed (sha2-256). */
    @Test
    void peerIdsOfOtherKeyTypesAgree() {
        for (String type : List.of("secp256k1", "RSA", "secp256k1", "RSA")) {
            JsonNode key = js.call("generateKey", "type", type);
            byte[] proto = Hex.field(key, "publicKeyProtoHex");
            PeerId hyphae = PeerId.fromPublicKeyProtobuf(proto);
            String what = type + " key " + Hex.encode(proto);
            assertEquals(key.get("base58").asText(), hyphae.toBase58(), "base58 peer id of " + what);
            assertEquals(key.get("cid").asText(), hyphae.toCid(), "CID peer id of " + what);
            assertEquals(type.equals("RSA"), hyphae.publicKeyProtobuf().isEmpty(), "whether " + what + " is hashed");
            assertEquals(hyphae, PeerId.parse(key.get("base58").asText()));
            assertEquals(hyphae, PeerId.parse(key.get("cid").asText()));
            assertEquals(hyphae.toBase58(), js.call("parsePeerId", "text", hyphae.toCid()).get("base58").asText());
        }
    }

    // ---- multiaddrs -----------------------------------------------------------------

    /** Addresses in canonical text: text and bytes must be identical on both sides. */
    static Stream<String> canonicalMultiaddrs() {
        return Stream.of(
                "/ip4/127.0.0.1/tcp/4001",
                "/ip4/0.0.0.0/tcp/0",
                "/ip4/255.255.255.255/udp/65535",
                "/ip4/192.168.1.20/udp/4001/quic-v1",
                "/ip4/1.2.3.4/tcp/4001/ws",
                "/ip4/1.2.3.4/tcp/443/wss",
                "/ip6/::1/tcp/4001",
                "/ip6/::/tcp/0",
                "/ip6/2001:db8::1/udp/4001/quic-v1",
                "/ip6/fe80::1/tcp/1/ws",
                "/ip6/2001:db8:85a3::8a2e:370:7334/tcp/4001/wss",
                "/ip6/2001:db8::1:0:0:1/tcp/1",
                "/ip6/1:2:3:4:5:6:7:8/udp/1",
                "/dns4/example.com/tcp/443/wss",
                "/dns6/example.com/tcp/443/ws",
                "/dns4/sub.example-host.org/udp/53",
                "/dns6/localhost/udp/4001/quic-v1",
                "/p2p/" + PEER_A,
                "/p2p-circuit",
                "/ip4/1.2.3.4/tcp/4001/p2p/" + PEER_A,
                "/ip4/1.2.3.4/udp/4001/quic-v1/p2p/" + PEER_A,
                "/dns4/example.com/tcp/443/wss/p2p/" + PEER_A,
                "/ip4/1.2.3.4/tcp/4001/p2p/" + PEER_QM,
                "/ip4/1.2.3.4/tcp/4001/p2p/" + PEER_A + "/p2p-circuit",
                "/ip4/1.2.3.4/tcp/4001/p2p/" + PEER_A + "/p2p-circuit/p2p/" + PEER_B,
                "/ip6/::1/udp/4001/quic-v1/p2p/" + PEER_A + "/p2p-circuit/p2p/" + PEER_B,
                // Beyond the core set, as far as both sides know the protocol.
                "/dns/example.com/tcp/1",
                "/dnsaddr/bootstrap.libp2p.io",
                "/ip6/fe80::1/ip6zone/eth0/tcp/1",
                "/ip4/1.2.3.4/tcp/443/tls/sni/example.com/ws",
                "/ip4/1.2.3.4/tcp/80/http",
                "/ip4/1.2.3.4/udp/1/quic-v1/webtransport/certhash/" + CERTHASH,
                "/ip4/1.2.3.4/udp/1/webrtc-direct/certhash/" + CERTHASH + "/p2p/" + PEER_A,
                "/memory/abc");
    }

    @ParameterizedTest
    @MethodSource("canonicalMultiaddrs")
    void multiaddrTextAndBytesAgree(String text) {
        Multiaddr hyphae = Multiaddr.parse(text);
        JsonNode fromJs = js.call("multiaddr", "text", text);

        assertEquals(fromJs.get("hex").asText(), Hex.encode(hyphae.bytes()), "bytes of " + text);
        assertEquals(fromJs.get("text").asText(), hyphae.toString(), "text of " + text);
        assertEquals(text, hyphae.toString());

        // bytes -> text on the js side, from Hyphae's bytes
        assertEquals(hyphae.toString(), js.call("multiaddrFromBytes", "hex", hyphae.bytes()).get("text").asText(),
                "js reading Hyphae's bytes of " + text);
        // bytes -> text on the Hyphae side, from js's bytes
        Multiaddr decoded = Multiaddr.decode(Hex.field(fromJs, "hex"));
        assertEquals(fromJs.get("text").asText(), decoded.toString(), "Hyphae reading js's bytes of " + text);
        assertEquals(hyphae, decoded);
    }

    /** Valid but non-canonical text: the same bytes, and both sides print the same canonical text. */
    static Stream<String> nonCanonicalMultiaddrs() {
        return Stream.of(
                "/ipfs/" + PEER_A,
                "/ip4/1.2.3.4/tcp/1/",
                "/ip6/2001:0db8:0000:0000:0000:0000:0000:0001/tcp/1",
                "/ip6/2001:DB8::1/tcp/1",
                "/ip6/0:0:0:0:0:0:0:1/tcp/1",
                "/p2p/" + PeerId.parse(PEER_A).toCid(),
                "/ip4/1.2.3.4/tcp/4001/p2p/" + PeerId.parse(PEER_A).toCid() + "/p2p-circuit/p2p/" + PEER_B);
    }

    @ParameterizedTest
    @MethodSource("nonCanonicalMultiaddrs")
    void nonCanonicalMultiaddrTextGivesTheSameBytes(String text) {
        Multiaddr hyphae = Multiaddr.parse(text);
        JsonNode fromJs = js.call("multiaddr", "text", text);
        assertEquals(fromJs.get("hex").asText(), Hex.encode(hyphae.bytes()), "bytes of " + text);

        String jsCanonical = js.call("multiaddrFromBytes", "hex", hyphae.bytes()).get("text").asText();
        assertEquals(jsCanonical, hyphae.toString(), "canonical text of " + text);
        assertEquals(jsCanonical, Multiaddr.decode(Hex.field(fromJs, "hex")).toString());
    }

    /**
     * IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}) is the one known difference in text: Hyphae writes
     * the RFC 5952 (section 5) mixed notation {@code ::ffff:1.2.3.4}, as go-multiaddr and
     * rust-multiaddr do, while js-multiaddr writes {@code ::ffff:102:304}. The multiaddr spec fixes
     * only the binary form; the bytes agree and each side parses the other's text.
     */
    @Test
    void ipv4MappedIpv6AddressesAgreeInBytesAndEachSideReadsTheOthersText() {
        byte[] expected = Hex.decode("2900000000000000000000ffff01020304060001");
        for (String text : List.of("/ip6/::ffff:1.2.3.4/tcp/1", "/ip6/::ffff:102:304/tcp/1")) {
            assertEquals(Hex.encode(expected), js.call("multiaddr", "text", text).get("hex").asText(), text);
            assertArrayEquals(expected, Multiaddr.parse(text).bytes(), text);
        }
        String hyphaeText = Multiaddr.decode(expected).toString();
        String jsText = js.call("multiaddrFromBytes", "hex", expected).get("text").asText();
        assertEquals("/ip6/::ffff:1.2.3.4/tcp/1", hyphaeText);
        assertEquals("/ip6/::ffff:102:304/tcp/1", jsText);
        assertEquals(Hex.encode(expected), js.call("multiaddr", "text", hyphaeText).get("hex").asText());
        assertArrayEquals(expected, Multiaddr.parse(jsText).bytes());
    }

    private static boolean isIpv4Mapped(byte[] v6) {
        for (int i = 0; i < 10; i++) {
            if (v6[i] != 0) {
                return false;
            }
        }
        return v6[10] == (byte) 0xff && v6[11] == (byte) 0xff;
    }

    @Test
    void randomIpAddressesAndPortsAgree() {
        for (int i = 0; i < 200; i++) {
            byte[] v4 = randomBytes(4);
            byte[] v6 = randomBytes(16);
            // Runs of zeros exercise the "::" compression rules.
            for (int j = 0; j < 16; j++) {
                if (random.nextInt(3) == 0) {
                    v6[j] = 0;
                }
            }
            int port = random.nextInt(65536);
            if (i % 10 == 9) {
                // Now and then an IPv4-mapped address, whose text differs in notation only (see above).
                java.util.Arrays.fill(v6, 0, 10, (byte) 0);
                v6[10] = (byte) 0xff;
                v6[11] = (byte) 0xff;
            }
            byte[] bytes = concat(
                    Hex.decode("04"), v4, Hex.decode("06"), new byte[] {(byte) (port >> 8), (byte) port},
                    Hex.decode("29"), v6, Hex.decode("9102"), new byte[] {(byte) (port >> 8), (byte) port});
            String jsText = js.call("multiaddrFromBytes", "hex", bytes).get("text").asText();
            Multiaddr hyphae = Multiaddr.decode(bytes);
            if (!isIpv4Mapped(v6)) {
                assertEquals(jsText, hyphae.toString(), "text of " + Hex.encode(bytes));
            }
            assertArrayEquals(bytes, Multiaddr.parse(jsText).bytes(), "Hyphae parsing js's " + jsText);
            assertEquals(Hex.encode(bytes), js.call("multiaddr", "text", hyphae.toString()).get("hex").asText());
        }
    }

    static Stream<String[]> decapsulations() {
        String relayed = "/ip4/1.2.3.4/tcp/4001/p2p/" + PEER_A + "/p2p-circuit/p2p/" + PEER_B;
        return Stream.of(
                new String[] {"/ip4/1.2.3.4/tcp/4001/ws", "/ws"},
                new String[] {"/ip4/1.2.3.4/tcp/4001/ws", "/tcp/4001"},
                new String[] {"/ip4/1.2.3.4/tcp/4001/ws", "/tcp/4001/ws"},
                new String[] {"/ip4/1.2.3.4/tcp/4001/ws/p2p/" + PEER_A, "/ws"},
                new String[] {"/ip4/1.2.3.4/tcp/4001/p2p/" + PEER_A, "/p2p/" + PEER_A},
                new String[] {"/ip6/::1/udp/4001/quic-v1/p2p/" + PEER_A, "/quic-v1"},
                new String[] {relayed, "/p2p-circuit"},
                new String[] {relayed, "/p2p/" + PEER_B},
                new String[] {relayed, "/p2p-circuit/p2p/" + PEER_B},
                new String[] {"/ip4/1.2.3.4/tcp/1/ip4/1.2.3.4/tcp/1", "/tcp/1"},
                new String[] {"/ip4/1.2.3.4/tcp/1/ip4/1.2.3.4/tcp/1", "/ip4/1.2.3.4"},
                new String[] {"/dns4/example.com/tcp/443/wss", "/dns4/example.com"},
                new String[] {"/ip4/1.2.3.4", "/ip4/1.2.3.4"});
    }

    @ParameterizedTest
    @MethodSource("decapsulations")
    void decapsulationAgrees(String text, String by) {
        JsonNode fromJs = js.call("decapsulate", "text", text, "by", by);
        Multiaddr hyphae = Multiaddr.parse(text).decapsulate(Multiaddr.parse(by));
        assertEquals(fromJs.get("text").asText(), hyphae.toString(), text + " decapsulate " + by);
        assertEquals(fromJs.get("hex").asText(), Hex.encode(hyphae.bytes()));
    }

    @Test
    void decapsulatingByProtocolAgrees() {
        String relayed = "/ip4/1.2.3.4/tcp/4001/p2p/" + PEER_A + "/p2p-circuit/p2p/" + PEER_B;
        for (MultiaddrProtocol protocol : List.of(MultiaddrProtocol.P2P, MultiaddrProtocol.P2P_CIRCUIT,
                MultiaddrProtocol.TCP, MultiaddrProtocol.IP4, MultiaddrProtocol.WS)) {
            JsonNode fromJs = js.call("decapsulateCode", "text", relayed, "code", protocol.code());
            assertEquals(fromJs.get("text").asText(), Multiaddr.parse(relayed).decapsulate(protocol).toString(),
                    relayed + " decapsulate " + protocol);
        }
    }

    @Test
    void decapsulatingWhatIsNotThereFailsOnBothSides() {
        String text = "/ip4/1.2.3.4/tcp/4001";
        assertThrows(JsProcess.JsCallException.class, () -> js.call("decapsulate", "text", text, "by", "/ws"));
        assertThrows(IllegalArgumentException.class, () -> Multiaddr.parse(text).decapsulate(Multiaddr.parse("/ws")));
    }

    @Test
    void peerIdOfMultiaddrAgrees() {
        List<String> addresses = new ArrayList<>(canonicalMultiaddrs().toList());
        addresses.add("/ip4/1.2.3.4/tcp/1/p2p/" + PEER_A + "/p2p-circuit/ip4/5.6.7.8/tcp/2/p2p/" + PEER_B);
        addresses.add("/p2p/" + PEER_A + "/p2p/" + PEER_B);
        for (String text : addresses) {
            JsonNode jsPeer = js.call("getPeerId", "text", text).get("peerId");
            Optional<PeerId> hyphae = Multiaddr.parse(text).peerId();
            assertEquals(jsPeer.isNull() ? null : jsPeer.asText(), hyphae.map(PeerId::toBase58).orElse(null),
                    "peer id of " + text);
        }
    }

    @Test
    void invalidMultiaddrsAreRejectedByBothSides() {
        for (String text : List.of("/ip4/256.1.1.1/tcp/1", "/ip4/1.2.3.4/tcp/65536", "/ip4/1.2.3.4/tcp",
                "/nosuchproto/1", "/ip6/1::2::3/tcp/1", "/p2p/notapeerid")) {
            assertThrows(JsProcess.JsCallException.class, () -> js.call("multiaddr", "text", text), text);
            assertThrows(IllegalArgumentException.class, () -> Multiaddr.parse(text), text);
        }
    }

    // ---- CIDs -----------------------------------------------------------------------

    @Test
    void cidsOfRandomDataAgree() {
        int[] sizes = {0, 1, 2, 31, 32, 100, 1000, 4096};
        for (int size : sizes) {
            for (int round = 0; round < 3; round++) {
                byte[] data = randomBytes(size);
                Multihash mh = Multihash.sha2_256(data);
                checkCid(Cid.v1(Multicodec.RAW.code(), mh), "raw", 1, data);
                checkCid(Cid.v1(Multicodec.DAG_PB.code(), mh), "dag-pb", 1, data);
                checkCid(Cid.v0(mh), "dag-pb", 0, data);
            }
        }
    }

    private void checkCid(Cid hyphae, String codec, int version, byte[] data) {
        String what = "CIDv" + version + " " + codec + " of " + data.length + " bytes " + Hex.encode(data);
        JsonNode fromJs = js.call("cidOf", "codec", codec, "dataHex", data, "version", version);

        assertEquals(fromJs.get("text").asText(), hyphae.toString(), "text of " + what);
        assertEquals(fromJs.get("hex").asText(), Hex.encode(hyphae.bytes()), "bytes of " + what);
        assertEquals(fromJs.get("multihashHex").asText(), Hex.encode(hyphae.multihash().bytes()));
        assertEquals(fromJs.get("version").asInt(), hyphae.version());
        assertEquals(fromJs.get("codec").asLong(), hyphae.codec());
        Cid v1 = hyphae.toV1();
        assertEquals(fromJs.get("v1base32").asText(), v1.toString(Multibase.BASE32), "base32 of " + what);
        assertEquals(fromJs.get("v1base58").asText(), v1.toString(Multibase.BASE58BTC), "base58btc of " + what);
        assertEquals(fromJs.get("v1base36").asText(), v1.toString(Multibase.BASE36), "base36 of " + what);
        assertEquals(fromJs.get("v1hex").asText(), Hex.encode(v1.bytes()));
        if (version == 0) {
            assertEquals(fromJs.get("v0").asText(), hyphae.toString(Multibase.BASE58BTC));
        }

        // Each side reads what the other wrote, as text and as bytes.
        for (String field : List.of("text", "v1base32", "v1base58", "v1base36")) {
            String text = fromJs.get(field).asText();
            Cid parsed = Cid.parse(text);
            assertEquals(field.equals("text") ? hyphae : v1, parsed, "Hyphae parsing js's " + text);
        }
        assertEquals(hyphae, Cid.decode(Hex.field(fromJs, "hex")));
        JsonNode jsParsed = js.call("cid", "text", hyphae.toString());
        assertEquals(Hex.encode(hyphae.bytes()), jsParsed.get("hex").asText(), "js parsing Hyphae's " + hyphae);
        JsonNode jsDecoded = js.call("cidFromBytes", "hex", hyphae.bytes());
        assertEquals(hyphae.toString(), jsDecoded.get("text").asText(), "js decoding Hyphae's bytes of " + what);
    }

    @Test
    void cidsInEveryMultibaseAgree() {
        byte[] data = randomBytes(64);
        for (Cid cid : List.of(Cid.v1(Multicodec.RAW.code(), Multihash.sha2_256(data)),
                Cid.v1(Multicodec.DAG_CBOR.code(), Multihash.sha2_256(data)),
                Cid.v1(Multicodec.LIBP2P_KEY.code(), PeerId.parse(PEER_A).multihash()),
                Cid.v1(Multicodec.DAG_PB.code(), Multihash.identity(data)))) {
            for (Multibase base : Multibase.values()) {
                String hyphaeText = cid.toString(base);
                String jsText = js.call("cidToString", "text", cid.toString(), "base", base.encodingName())
                        .get("text").asText();
                assertEquals(jsText, hyphaeText, cid + " in " + base.encodingName());
                assertEquals(cid, Cid.parse(jsText), "Hyphae parsing js's " + jsText);
                assertEquals(Hex.encode(cid.bytes()), js.call("cid", "text", hyphaeText).get("hex").asText(),
                        "js parsing Hyphae's " + hyphaeText);
            }
        }
    }

    @Test
    void knownCidsParseAlike() {
        for (String text : List.of(
                "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG",
                "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
                "bafkreidogqfzz75tpkmjzjke425xqcrmpcib2p5tg44hnbirumdbpl5adu",
                "zb2rhe4U4y1DATx1ZBKVdN9xc9JqUXP4dEw66K4GYai1YY9sa",
                "k2cwuebea9ve1ivj68dpiw2xl0o3agmhug2d0kosjzuh8l36zxvguqzh",
                "bafzaajaiaejcbfaibrmsqss22lwmzn5n3vrcd6whvesdvj62alhfg6gmialsrsur",
                "bafyreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku")) {
            JsonNode fromJs = js.call("cid", "text", text);
            Cid hyphae = Cid.parse(text);
            assertEquals(fromJs.get("hex").asText(), Hex.encode(hyphae.bytes()), "bytes of " + text);
            assertEquals(fromJs.get("version").asInt(), hyphae.version());
            assertEquals(fromJs.get("codec").asLong(), hyphae.codec());
            assertEquals(fromJs.get("v1base32").asText(), hyphae.toV1().toString());
            assertEquals(fromJs.get("multihashHex").asText(), Hex.encode(hyphae.multihash().bytes()));
            // Varint agrees with the CID's binary layout: version, then codec.
            if (hyphae.version() == 1) {
                byte[] prefix = concat(Varint.encode(1), Varint.encode(hyphae.codec()));
                assertTrue(Hex.encode(hyphae.bytes()).startsWith(Hex.encode(prefix)));
            }
        }
    }

    @Test
    void invalidCidsAreRejectedByBothSides() {
        for (String text : List.of("", "Qm", "bafy", "zzzz", "b" + "a".repeat(10), "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbd0")) {
            assertThrows(JsProcess.JsCallException.class, () -> js.call("cid", "text", text), text);
            assertThrows(IllegalArgumentException.class, () -> Cid.parse(text), text);
        }
    }

    // ---- helpers --------------------------------------------------------------------

    private static String base36Cid(PeerId peer) {
        return Cid.v1(Multicodec.LIBP2P_KEY.code(), peer.multihash()).toString(Multibase.BASE36);
    }

    private byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int pos = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, pos, part.length);
            pos += part.length;
        }
        return out;
    }
}
