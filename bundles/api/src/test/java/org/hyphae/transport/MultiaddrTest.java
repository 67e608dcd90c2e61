package org.hyphae.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.hyphae.identity.PeerId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MultiaddrTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final String QMCGPS = "QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC";
    private static final String QMCGPS_HEX = "a503221220d52ebb89d85b02a284948203a62ff28389c57c9f42beec4ec20db76a68911c0b";

    /**
     * Text and binary pairs from rust-multiaddr's tests/lib.rs (construct_success) and go-multiaddr's
     * multiaddr_test.go (TestStringToBytes, TestBytesToString): text parses to the bytes, the bytes
     * decode to the same address, and the text is already canonical.
     */
    @ParameterizedTest
    @CsvSource({
        "/ip4/1.2.3.4, 0401020304",
        "/ip4/0.0.0.0, 0400000000",
        "/ip6/::1, 2900000000000000000000000000000001",
        "/ip6/2601:9:4f81:9700:803e:ca65:66e8:c21, 29260100094f819700803eca6566e80c21",
        "/udp/0, 91020000",
        "/tcp/0, 060000",
        "/sctp/0, 84010000",
        "/udp/1234, 910204d2",
        "/tcp/1234, 0604d2",
        "/sctp/1234, 840104d2",
        "/udp/65535, 9102ffff",
        "/tcp/65535, 06ffff",
        "/p2p/" + QMCGPS + ", " + QMCGPS_HEX,
        "/udp/1234/sctp/1234, 910204d2840104d2",
        "/udp/1234/udt, 910204d2ad02",
        "/udp/1234/utp, 910204d2ae02",
        "/tcp/1234/http, 0604d2e003",
        "/tcp/1234/tls/http, 0604d2c003e003",
        "/tcp/1234/https, 0604d2bb03",
        "/p2p/" + QMCGPS + "/tcp/1234, " + QMCGPS_HEX + "0604d2",
        "/ip4/127.0.0.1/udp/1234, 047f000001910204d2",
        "/ip4/127.0.0.1/udp/0, 047f00000191020000",
        "/ip4/127.0.0.1/tcp/1234, 047f0000010604d2",
        "/ip4/127.0.0.1/tcp/4321, 047f0000010610e1",
        "/ip4/127.0.0.1/udp/1234/ip4/127.0.0.1/tcp/4321, 047f000001910204d2047f0000010610e1",
        "/ip4/127.0.0.1/p2p/" + QMCGPS + ", 047f000001" + QMCGPS_HEX,
        "/ip4/127.0.0.1/p2p/" + QMCGPS + "/tcp/1234, 047f000001" + QMCGPS_HEX + "0604d2",
        "/ip6/2001:8a0:7ac5:4201:3ac9:86ff:fe31:7095/tcp/8000/ws/p2p/" + QMCGPS
                + ", 29200108a07ac542013ac986fffe317095061f40dd03" + QMCGPS_HEX,
        "/p2p-webrtc-star/ip4/127.0.0.1/tcp/9090/ws/p2p/" + QMCGPS
                + ", 9302047f000001062382dd03" + QMCGPS_HEX,
        "/ip6/2001:8a0:7ac5:4201:3ac9:86ff:fe31:7095/tcp/8000/wss/p2p/" + QMCGPS
                + ", 29200108a07ac542013ac986fffe317095061f40de03" + QMCGPS_HEX,
        "/ip4/127.0.0.1/tcp/9090/p2p-circuit/p2p/" + QMCGPS + ", 047f000001062382a202" + QMCGPS_HEX,
        "/onion/aaimaq4ygg2iegci:80, bc030010c0439831b48218480050",
        "/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:1234, "
                + "bd03adadec040be047f9658668b11a504f3155001f231a37f54c4476c07fb4cc139ed7e30304d2",
        "/dnsaddr/sjc-1.bootstrap.libp2p.io, 3819736a632d312e626f6f7473747261702e6c69627032702e696f",
        "/dnsaddr/sjc-1.bootstrap.libp2p.io/tcp/1234/p2p/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN, "
                + "3819736a632d312e626f6f7473747261702e6c69627032702e696f0604d2a50322122006b3608aa000274049eb28ad8e"
                + "793a26ff6fab281a7d3bd77cd18eb745dfaabb",
        "/ip4/127.0.0.1/tcp/127/ws, 047f00000106007fdd03",
        "/ip4/127.0.0.1/tcp/127/tls, 047f00000106007fc003",
        "/ip4/127.0.0.1/tcp/127/tls/ws, 047f00000106007fc003dd03",
        // go-multiaddr TestZone
        "/ip6zone/eth0/ip6/::1, 2a04657468302900000000000000000000000000000001",
    })
    void binaryVectors(String text, String hex) {
        Multiaddr parsed = Multiaddr.parse(text);
        assertEquals(hex, HEX.formatHex(parsed.bytes()));
        assertEquals(text, parsed.toString());
        Multiaddr decoded = Multiaddr.decode(HEX.parseHex(hex));
        assertEquals(parsed, decoded);
        assertEquals(text, decoded.toString());
    }

    /** The addresses the brief lists, with bytes composed from the vectors above. */
    @ParameterizedTest
    @CsvSource({
        "/ip4/127.0.0.1/tcp/4001, 047f000001060fa1",
        "/ip4/127.0.0.1/udp/1234, 047f000001910204d2",
        "/ip6/::1/tcp/4001, 2900000000000000000000000000000001060fa1",
        "/dns4/example.com/tcp/443/wss, 360b6578616d706c652e636f6d0601bbde03",
        "/ip4/1.2.3.4/tcp/80/p2p/" + QMCGPS + ", 0401020304060050" + QMCGPS_HEX,
    })
    void commonAddresses(String text, String hex) {
        binaryVectors(text, hex);
    }

    /** go-multiaddr TestConstructSucceeds (garlic32/garlic64, which this library does not support, left out). */
    @ParameterizedTest
    @ValueSource(strings = {
        "/ip4/1.2.3.4",
        "/ip4/0.0.0.0",
        "/ip4/192.0.2.0/ipcidr/24",
        "/ip6/::1",
        "/ip6/2601:9:4f81:9700:803e:ca65:66e8:c21",
        "/ip6/2601:9:4f81:9700:803e:ca65:66e8:c21/udp/1234/quic",
        "/ip6/2601:9:4f81:9700:803e:ca65:66e8:c21/udp/1234/quic-v1",
        "/ip6/2001:db8::/ipcidr/32",
        "/ip6zone/x/ip6/fe80::1",
        "/ip6zone/x%y/ip6/fe80::1",
        "/ip6zone/x%y/ip6/::",
        "/ip6zone/x/ip6/fe80::1/udp/1234/quic",
        "/ip6zone/x/ip6/fe80::1/udp/1234/quic-v1",
        "/onion/timaq4ygg2iegci7:1234",
        "/onion/timaq4ygg2iegci7:80/http",
        "/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:1234",
        "/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:80/http",
        "/udp/0",
        "/tcp/0",
        "/sctp/0",
        "/udp/1234",
        "/tcp/1234",
        "/sctp/1234",
        "/udp/65535",
        "/tcp/65535",
        "/ipfs/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC",
        "/ipfs/k2k4r8oqamigqdo6o7hsbfwd45y70oyynp98usk7zmyfrzpqxh1pohl7",
        "/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC",
        "/p2p/k2k4r8oqamigqdo6o7hsbfwd45y70oyynp98usk7zmyfrzpqxh1pohl7",
        "/p2p/bafzbeigvf25ytwc3akrijfecaotc74udrhcxzh2cx3we5qqnw5vgrei4bm",
        "/p2p/12D3KooWCryG7Mon9orvQxcS1rYZjotPgpwoJNHHKcLLfE4Hf5mV",
        "/p2p/k51qzi5uqu5dhb6l8spkdx7yxafegfkee5by8h7lmjh2ehc2sgg34z7c15vzqs",
        "/p2p/bafzaajaiaejcalj543iwv2d7pkjt7ykvefrkfu7qjfi6sduakhso4lay6abn2d5u",
        "/udp/1234/sctp/1234",
        "/udp/1234/udt",
        "/udp/1234/utp",
        "/tcp/1234/http",
        "/tcp/1234/tls/http",
        "/tcp/1234/https",
        "/ipfs/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC/tcp/1234",
        "/ipfs/k2k4r8oqamigqdo6o7hsbfwd45y70oyynp98usk7zmyfrzpqxh1pohl7/tcp/1234",
        "/ip4/127.0.0.1/udp/1234",
        "/ip4/127.0.0.1/udp/0",
        "/ip4/127.0.0.1/tcp/1234",
        "/ip4/127.0.0.1/tcp/1234/",
        "/ip4/127.0.0.1/udp/1234/quic",
        "/ip4/127.0.0.1/udp/1234/quic-v1",
        "/ip4/127.0.0.1/udp/1234/quic-v1/webtransport",
        "/ip4/127.0.0.1/udp/1234/quic-v1/webtransport/certhash/b2uaraocy6yrdblb4sfptaddgimjmmpy",
        "/ip4/127.0.0.1/udp/1234/quic-v1/webtransport/certhash/b2uaraocy6yrdblb4sfptaddgimjmmpy/certhash/"
                + "zQmbWTwYGcmdyK9CYfNBcfs9nhZs17a6FQ4Y8oea278xx41",
        "/ip4/127.0.0.1/ipfs/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC/tcp/1234",
        "/ip4/127.0.0.1/p2p/k2k4r8oqamigqdo6o7hsbfwd45y70oyynp98usk7zmyfrzpqxh1pohl7/tcp/1234",
        "/unix/a/b/c/d/e",
        "/unix/stdio",
        "/ip4/1.2.3.4/tcp/80/unix/a/b/c/d/e/f",
        "/ip4/127.0.0.1/ipfs/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC/tcp/1234/unix/stdio",
        "/ip4/127.0.0.1/tcp/9090/http/p2p-webrtc-direct",
        "/ip4/127.0.0.1/tcp/127/ws",
        "/ip4/127.0.0.1/tcp/127/tls",
        "/ip4/127.0.0.1/tcp/127/tls/ws",
        "/ip4/127.0.0.1/tcp/127/noise",
        "/ip4/127.0.0.1/tcp/127/wss",
        // js-multiaddr
        "/memory/test/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC",
        "/ip4/1.2.3.4/udp/4001/quic-v1/webtransport/certhash/uEiAkH5a4DPGKUuOBjYw0CgwjvcJCJMD2K_1aluKR_tpevQ/"
                + "certhash/uEiAfbgiymPP2_nX7Dgir8B4QkksjHp2lVuJZz0F79Be9JA/p2p/"
                + "12D3KooWBdmLJjhpgJ9KZgLM3f894ff9xyBfPvPjFNn7MKJpyrC2",
        "/ip4/127.0.0.1/udp/1234/webrtc-direct/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g",
        "/dns/example.com/tcp/443/tls/sni/example.com/http",
    })
    void constructSucceeds(String text) {
        Multiaddr a = Multiaddr.parse(text);
        Multiaddr again = Multiaddr.parse(a.toString());
        assertEquals(a, again);
        assertEquals(a, Multiaddr.decode(a.bytes()));
        assertEquals(a.toString(), again.toString());
    }

    /** go-multiaddr TestRoundTrip and js-multiaddr variants: the text is already canonical. */
    @ParameterizedTest
    @ValueSource(strings = {
        "/unix/a/b/c/d",
        "/ip6/::ffff:127.0.0.1/tcp/111",
        "/ip4/127.0.0.1/tcp/123",
        "/ip4/127.0.0.1/tcp/123/tls",
        "/ip4/127.0.0.1/udp/123",
        "/ip4/127.0.0.1/udp/123/ip6/::",
        "/ip4/127.0.0.1/udp/1234/quic-v1/webtransport/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g",
        "/p2p/QmbHVEEepCi7rn7VL7Exxpd2Ci9NNB6ifvqwhsrbRMgQFP",
        "/p2p/QmbHVEEepCi7rn7VL7Exxpd2Ci9NNB6ifvqwhsrbRMgQFP/unix/a/b/c",
        "/ip6/2001:8a0:7ac5:4201:3ac9:86ff:fe31:7095/udp/4001/quic-v1/webtransport",
        "/ip6zone/x/ip6/fe80::1/udp/1234/quic",
        "/p2p-circuit/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC",
        "/ip4/127.0.0.1/tcp/8000/http",
        "/ip4/0.0.0.0/tcp/8000/unix/tmp/p2p.sock",
        "/memory/test/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC",
        "/ip4/1.2.3.4/udp/4001/quic-v1/webtransport/certhash/uEiAkH5a4DPGKUuOBjYw0CgwjvcJCJMD2K_1aluKR_tpevQ/"
                + "certhash/uEiAfbgiymPP2_nX7Dgir8B4QkksjHp2lVuJZz0F79Be9JA/p2p/"
                + "12D3KooWBdmLJjhpgJ9KZgLM3f894ff9xyBfPvPjFNn7MKJpyrC2",
    })
    void canonicalTextRoundTrips(String text) {
        assertEquals(text, Multiaddr.parse(text).toString());
    }

    @ParameterizedTest
    @CsvSource({
        // js-multiaddr: /ipfs is printed /p2p, CID peer ids in base58btc
        "/ipfs/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC, /p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC",
        "/p2p/bafzbeidt255unskpefjmqb2rc27vjuyxopkxgaylxij6pw35hhys4vnyp4, /p2p/QmW8rAgaaA6sRydK1k6vonShQME47aDxaFidbtMevWs73t",
        "/ip4/127.0.0.1/tcp/1234/, /ip4/127.0.0.1/tcp/1234",
        // IPv6: lowercase, RFC 5952 compression (longest run of zeros, the first on a tie)
        "/ip6/ABCD::1:2:3:4:5:6, /ip6/abcd:0:1:2:3:4:5:6",
        "/ip6/2001:0db8:0000:0000:0000:0000:0000:0001, /ip6/2001:db8::1",
        "/ip6/2001:db8:0:0:1:0:0:1, /ip6/2001:db8::1:0:0:1",
        "/ip6/2001:db8:0:1:1:1:1:1, /ip6/2001:db8:0:1:1:1:1:1",
        "/ip6/2001:db8:0:0:1:1:0:0, /ip6/2001:db8::1:1:0:0",
        "/ip6/0:0:0:0:0:0:0:0, /ip6/::",
        "/ip6/1:0:0:0:0:0:0:0, /ip6/1::",
        "/ip6/1:2:3:4:5:6:7::, /ip6/1:2:3:4:5:6:7:0",
        "/ip6/::1.2.3.4, /ip6/::102:304",
        "/ip6/::FFFF:7f00:1, /ip6/::ffff:127.0.0.1",
        "/ip6/fe80::1:2:3:4, /ip6/fe80::1:2:3:4",
        "/certhash/f1220c3ab8ff13720e8ad9047dd39466b3c8974e592c2fa383d4a3960714caef0c4f2, "
                + "/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g",
    })
    void canonicalText(String input, String canonical) {
        assertEquals(canonical, Multiaddr.parse(input).toString());
        assertEquals(Multiaddr.parse(input), Multiaddr.parse(canonical));
    }

    /** go-multiaddr TestConstructFails (garlic left out; "/" is the empty multiaddr here, as in js). */
    @ParameterizedTest
    @ValueSource(strings = {
        "/ip4",
        "/ip4/::1",
        "/ip4/fdpsofodsajfdoisa",
        "/ip4/::/ipcidr/256",
        "/ip6/::/ipcidr/1026",
        "/ip6",
        "/ip6zone",
        "/ip6zone/",
        "/ip6zone//ip6/fe80::1",
        "/udp",
        "/tcp",
        "/sctp",
        "/udp/65536",
        "/tcp/65536",
        "/quic/65536",
        "/quic-v1/65536",
        "/onion/9imaq4ygg2iegci7:80",
        "/onion/aaimaq4ygg2iegci7:80",
        "/onion/timaq4ygg2iegci7:0",
        "/onion/timaq4ygg2iegci7:-1",
        "/onion/timaq4ygg2iegci7",
        "/onion/timaq4ygg2iegci@:666",
        "/onion3/9ww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:80",
        "/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd7:80",
        "/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:0",
        "/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:-1",
        "/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd",
        "/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyy@:666",
        "/udp/1234/sctp",
        "/udp/1234/udt/1234",
        "/udp/1234/utp/1234",
        "/ip4/127.0.0.1/udp/jfodsajfidosajfoidsa",
        "/ip4/127.0.0.1/udp",
        "/ip4/127.0.0.1/tcp/jfodsajfidosajfoidsa",
        "/ip4/127.0.0.1/tcp",
        "/ip4/127.0.0.1/quic/1234",
        "/ip4/127.0.0.1/quic-v1/1234",
        "/ip4/127.0.0.1/udp/1234/quic-v1/webtransport/certhash",
        "/ip4/127.0.0.1/udp/1234/quic-v1/webtransport/certhash/b2uaraocy6yrdblb4sfptaddgimjmmp",
        "/ip4/127.0.0.1/ipfs",
        "/ip4/127.0.0.1/ipfs/tcp",
        "/ip4/127.0.0.1/p2p",
        "/ip4/127.0.0.1/p2p/tcp",
        "/unix",
        "/ip4/1.2.3.4/tcp/80/unix",
        "/ip4/127.0.0.1/tcp/9090/http/p2p-webcrt-direct",
        "",
        // rust-multiaddr construct_fail
        "/p2p-circuit/50",
        // go-multiaddr TestInvalidP2PAddrString
        "/p2p/k2k4r8oqamigqdo6o7hsbfwd45y70oyynp98usk7zmyfrzpqxh1pohl-",
        "/p2p/?unknownmultibase",
        "/p2p/k2jmtxwoe2phm1hbqp0e7nufqf6umvuu2e9qd7ana7h411a0haqj6i2z",
        // more strictness
        "ip4/1.2.3.4",
        "//ip4/1.2.3.4",
        "/ip4/1.2.3.4//tcp/1",
        "/ip4/1.2.3.4/tcp/1//",
        "/ip4/256.0.0.1",
        "/ip4/1.2.3",
        "/ip4/1.2.3.4.5",
        "/ip4/01.2.3.4",
        "/ip4/1.2.3.",
        "/ip4/1..3.4",
        "/ip4/ 1.2.3.4",
        "/ip4/localhost",
        "/ip6/FFFF::GGGG",
        "/ip6/:::",
        "/ip6/1:2:3:4:5:6:7:8:9",
        "/ip6/1:2:3:4:5:6:7",
        "/ip6/1::2::3",
        "/ip6/12345::1",
        "/ip6/fe80::1%eth0",
        "/ip6/[::1]",
        "/ip6/::1.2.3",
        "/ip6/1.2.3.4",
        "/ip6/1:2:3:4:5:6:7:1.2.3.4",
        "/ip6/:1",
        "/ip6/1:",
        "/ip6/localhost",
        "/tcp/080",
        "/tcp/+80",
        "/tcp/-1",
        "/tcp/100000",
        "/dns4",
        "/dns4/",
        "/foo/1",
        "/ws/x",
    })
    void constructFails(String text) {
        assertThrows(IllegalArgumentException.class, () -> Multiaddr.parse(text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "/ip4/1.2.3/tcp/1|invalid multiaddr \"/ip4/1.2.3/tcp/1\": bad ip4 address \"1.2.3\" at offset 5",
        "/ip4/256.0.0.1|invalid multiaddr \"/ip4/256.0.0.1\": bad ip4 address \"256.0.0.1\" at offset 5",
        "/ip4/1.2.3.4/foo/1|invalid multiaddr \"/ip4/1.2.3.4/foo/1\": unknown protocol \"foo\" at offset 13",
        "/ip4/1.2.3.4/tcp|invalid multiaddr \"/ip4/1.2.3.4/tcp\": missing value for tcp at offset 16",
        "/tcp/65536|invalid multiaddr \"/tcp/65536\": bad tcp port \"65536\" at offset 5",
        "ip4/1.2.3.4|invalid multiaddr \"ip4/1.2.3.4\": must start with '/' at offset 0",
        "/ip4//tcp/1|invalid multiaddr \"/ip4//tcp/1\": missing value for ip4 at offset 5",
        "/tcp/1//ws|invalid multiaddr \"/tcp/1//ws\": empty protocol name at offset 7",
        "/ip6/fe80::1%eth0|invalid multiaddr \"/ip6/fe80::1%eth0\": bad ip6 address \"fe80::1%eth0\" at offset 5",
    })
    void parseErrorsNameThePartAndOffset(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Multiaddr.parse(text));
        assertEquals(message, e.getMessage());
    }

    @Test
    void wrongCidCodecForP2p() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Multiaddr.parse("/p2p/bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"));
        assertTrue(e.getMessage().contains("CID codec is dag-pb (0x70), a peer id needs libp2p-key (0x72)"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("at offset 5"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "047f000001060f",           // truncated tcp port
        "047f0000",                 // truncated ip4
        "047f00000106",             // tcp code without its port
        "047f000001060fa1ff",       // trailing garbage: a truncated varint
        "047f000001060fa100",       // trailing garbage: protocol code 0 is unknown
        "047f000001060fa1d209",     // unknown protocol code 1234
        "a503221221c05877cbae039d70a5e600ea02c6f9f2942439285c9e344e26f8d280c850fad6", // go: bad p2p multihash
        "a50300",                   // empty p2p value
        "3600",                     // empty dns4 name
        "36032f612f",               // dns4 name with '/'
        "3602c328",                 // dns4 name that is not UTF-8
        "a50305",                   // p2p length beyond the input
        "9003032f61",               // unix path length 3 but only 2 bytes follow
        "900301" + "61",            // unix path not absolute
        "bc030010c0439831b48218480000", // onion port 0
        "d20300",                   // certhash that is not a multihash
        "8080",                     // truncated protocol code
        "8100",                     // non-minimal protocol code
    })
    void rejectsBadBinary(String hex) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Multiaddr.decode(HEX.parseHex(hex)));
        assertTrue(e.getMessage().startsWith("invalid multiaddr bytes "), e.getMessage());
        assertTrue(e.getMessage().contains("at offset "), e.getMessage());
    }

    @Test
    void binaryErrorMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Multiaddr.decode(HEX.parseHex("047f000001060fa1d209")));
        assertEquals("invalid multiaddr bytes 047f000001060fa1d209: unknown protocol code 1234 at offset 8",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Multiaddr.decode(HEX.parseHex("047f000001060f")));
        assertEquals("invalid multiaddr bytes 047f000001060f: truncated tcp value: needs 2 byte(s) but 1 remain at offset 6",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Multiaddr.decode(HEX.parseHex("047f0000013600")));
        assertEquals("invalid multiaddr bytes 047f0000013600: bad dns4 value \"\" (dns4 value at offset 7)", e.getMessage());
    }

    @Test
    void emptyMultiaddr() {
        Multiaddr empty = Multiaddr.parse("/");
        assertTrue(empty.isEmpty());
        assertEquals("/", empty.toString());
        assertEquals(0, empty.bytes().length);
        assertEquals(empty, Multiaddr.decode(new byte[0]));
        assertSame(Multiaddr.empty(), Multiaddr.of(List.of()));
        Multiaddr udp = Multiaddr.parse("/ip4/127.0.0.1/udp/1234");
        assertEquals(udp, empty.encapsulate(udp));
        assertEquals(udp, udp.encapsulate(empty));
    }

    /** js-multiaddr "manipulation" tests, with whole-component matching. */
    @Test
    void encapsulateAndDecapsulate() {
        Multiaddr udp = Multiaddr.parse("/ip4/127.0.0.1/udp/1234");
        Multiaddr twice = udp.encapsulate("/udp/5678");
        assertEquals("/ip4/127.0.0.1/udp/1234/udp/5678", twice.toString());
        assertEquals("/ip4/127.0.0.1/udp/1234", twice.decapsulate(Multiaddr.parse("/udp/5678")).toString());
        assertEquals("/ip4/127.0.0.1/udp/1234", twice.decapsulate(MultiaddrProtocol.UDP).toString());
        assertEquals("/", twice.decapsulate(MultiaddrProtocol.IP4).toString());
        assertEquals("/", twice.decapsulate(Multiaddr.parse("/ip4/127.0.0.1")).toString());
        assertSame(twice, twice.decapsulate(Multiaddr.empty()));
        assertSame(twice, twice.decapsulate(MultiaddrProtocol.TCP));

        // the last occurrence is removed, with everything after it
        Multiaddr m = Multiaddr.parse("/ip4/1.2.3.4/tcp/80/ip4/1.2.3.4/tcp/80/ws");
        assertEquals("/ip4/1.2.3.4/tcp/80", m.decapsulate(Multiaddr.parse("/ip4/1.2.3.4/tcp/80")).toString());
        assertEquals("/ip4/1.2.3.4/tcp/80/ip4/1.2.3.4", m.decapsulate(MultiaddrProtocol.TCP).toString());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Multiaddr.parse("/ip4/127.0.0.1").decapsulate(Multiaddr.parse("/ip4/198.168.0.0")));
        assertEquals("multiaddr /ip4/127.0.0.1 does not contain /ip4/198.168.0.0", e.getMessage());
        // whole components: /tcp/80 is not a prefix of /tcp/8080 here, unlike js's text matching
        assertThrows(IllegalArgumentException.class,
                () -> Multiaddr.parse("/ip4/1.2.3.4/tcp/8080").decapsulate(Multiaddr.parse("/tcp/80")));
    }

    /** js-multiaddr decapsulateCode tests. */
    @Test
    void decapsulateProtocolRemovesLastOccurrence() {
        Multiaddr relayTcp = Multiaddr.parse("/ip4/0.0.0.0/tcp/8080");
        Multiaddr relay = relayTcp.encapsulate("/p2p/QmZR5a9AAXGqQF2ADqoDdGS8zvqv8n3Pag6TDDnTNMcFW6/p2p-circuit");
        Multiaddr target = Multiaddr.parse("/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC");
        Multiaddr original = relay.encapsulate(target);
        assertEquals(relay, original.decapsulate(MultiaddrProtocol.P2P));
        assertEquals(relayTcp, relay.decapsulate(MultiaddrProtocol.P2P));
    }

    /** js-multiaddr getPeerId tests. */
    @ParameterizedTest
    @CsvSource({
        "/p2p-circuit/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC, QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC",
        "/ip4/0.0.0.0/tcp/8080/p2p/QmZR5a9AAXGqQF2ADqoDdGS8zvqv8n3Pag6TDDnTNMcFW6/p2p-circuit/p2p/"
                + "QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC, QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC",
        "/p2p-circuit/ipfs/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC, QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC",
        "/p2p-circuit/p2p/bafzbeigweq4zr4x4ky2dvv7nanbkw6egutvrrvzw6g3h2rftp7gidyhtt4, "
                + "QmckZzdVd72h9QUFuJJpQqhsZqGLwjhh81qSvZ9BhB2FQi",
        "/p2p-circuit/p2p/bafzbeidt255unskpefjmqb2rc27vjuyxopkxgaylxij6pw35hhys4vnyp4, "
                + "QmW8rAgaaA6sRydK1k6vonShQME47aDxaFidbtMevWs73t",
        "/p2p-circuit/p2p/12D3KooWNvSZnPi3RrhrTwEY4LuuBeB6K6facKUCJcyWG1aoDd2p, "
                + "12D3KooWNvSZnPi3RrhrTwEY4LuuBeB6K6facKUCJcyWG1aoDd2p",
    })
    void peerIdOfTheAddress(String address, String peer) {
        assertEquals(Optional.of(PeerId.parse(peer)), Multiaddr.parse(address).peerId());
        assertEquals(peer, Multiaddr.parse(address).peerId().orElseThrow().toBase58());
    }

    @Test
    void noPeerId() {
        assertEquals(Optional.empty(), Multiaddr.parse("/ip4/0.0.0.0/tcp/1234/utp").peerId());
        // a relay address without a target names no peer of its own
        assertEquals(Optional.empty(), Multiaddr.parse(
                "/ip4/1.2.3.4/tcp/80/p2p/QmZR5a9AAXGqQF2ADqoDdGS8zvqv8n3Pag6TDDnTNMcFW6/p2p-circuit").peerId());
    }

    @Test
    void withAndWithoutPeerId() {
        PeerId a = PeerId.parse("QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC");
        PeerId b = PeerId.parse("12D3KooWCryG7Mon9orvQxcS1rYZjotPgpwoJNHHKcLLfE4Hf5mV");
        Multiaddr base = Multiaddr.parse("/ip4/1.2.3.4/tcp/4001");
        Multiaddr withA = base.withPeerId(a);
        assertEquals("/ip4/1.2.3.4/tcp/4001/p2p/" + a, withA.toString());
        assertEquals(Optional.of(a), withA.peerId());
        assertEquals("/ip4/1.2.3.4/tcp/4001/p2p/" + b, withA.withPeerId(b).toString());
        assertEquals(base, withA.withoutPeerId());
        assertSame(base, base.withoutPeerId());
        Multiaddr circuit = Multiaddr.parse("/ip4/1.2.3.4/tcp/4001/p2p/" + a + "/p2p-circuit");
        assertSame(circuit, circuit.withoutPeerId());
        assertEquals(circuit.toString() + "/p2p/" + b, circuit.withPeerId(b).toString());
    }

    /** go-multiaddr TestGetValue. */
    @Test
    void valueForFirstOccurrence() {
        Multiaddr a = Multiaddr.parse(
                "/ip4/127.0.0.1/utp/tcp/5555/udp/1234/tls/utp/ipfs/QmbHVEEepCi7rn7VL7Exxpd2Ci9NNB6ifvqwhsrbRMgQFP");
        assertEquals(Optional.of("127.0.0.1"), a.valueFor(MultiaddrProtocol.IP4));
        assertEquals(Optional.of(""), a.valueFor(MultiaddrProtocol.UTP));
        assertEquals(Optional.of(""), a.valueFor(MultiaddrProtocol.TLS));
        assertEquals(Optional.of("5555"), a.valueFor(MultiaddrProtocol.TCP));
        assertEquals(Optional.of("1234"), a.valueFor(MultiaddrProtocol.UDP));
        assertEquals(Optional.of("QmbHVEEepCi7rn7VL7Exxpd2Ci9NNB6ifvqwhsrbRMgQFP"), a.valueFor(MultiaddrProtocol.P2P));
        assertEquals(Optional.empty(), a.valueFor(MultiaddrProtocol.IP6));
        assertTrue(a.has(MultiaddrProtocol.TLS));
        assertFalse(a.has(MultiaddrProtocol.IP6));

        Multiaddr b = Multiaddr.parse("/ip4/0.0.0.0/unix/a/b/c/d");
        assertEquals(Optional.of("/a/b/c/d"), b.valueFor(MultiaddrProtocol.UNIX));
        assertEquals("0400000000" + "9003" + "08" + HEX.formatHex("/a/b/c/d".getBytes()), HEX.formatHex(b.bytes()));
    }

    @Test
    void components() {
        Multiaddr m = Multiaddr.parse("/ip4/127.0.0.1/tcp/4001/ws");
        List<Multiaddr.Component> parts = m.components();
        assertEquals(3, parts.size());
        assertEquals(MultiaddrProtocol.IP4, parts.get(0).protocol());
        assertArrayEquals(new byte[] {127, 0, 0, 1}, parts.get(0).value());
        assertEquals("4001", parts.get(1).valueString());
        assertEquals("", parts.get(2).valueString());
        assertEquals("/tcp/4001", parts.get(1).toString());
        assertEquals(Multiaddr.Component.of(MultiaddrProtocol.TCP, "4001"), parts.get(1));
        assertEquals(m, Multiaddr.of(parts));
        assertThrows(UnsupportedOperationException.class, () -> parts.remove(0));
        parts.get(0).value()[0] = 1;
        assertEquals("/ip4/127.0.0.1/tcp/4001/ws", m.toString());
        m.bytes()[1] = 1;
        assertEquals("/ip4/127.0.0.1/tcp/4001/ws", m.toString());

        byte[] raw = {10, 0, 0, 1};
        Multiaddr.Component c = new Multiaddr.Component(MultiaddrProtocol.IP4, raw);
        raw[0] = 11;
        assertEquals("10.0.0.1", c.valueString());
        assertThrows(IllegalArgumentException.class, () -> new Multiaddr.Component(MultiaddrProtocol.IP4, new byte[3]));
        assertThrows(IllegalArgumentException.class, () -> new Multiaddr.Component(MultiaddrProtocol.WS, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> new Multiaddr.Component(MultiaddrProtocol.P2P, new byte[4]));
        assertEquals(new Multiaddr.Component(MultiaddrProtocol.WS, null), Multiaddr.Component.of(MultiaddrProtocol.WS, null));
    }

    @Test
    void equalityIsOnBytes() {
        assertEquals(Multiaddr.parse("/ip4/127.0.0.1/tcp/1234"), Multiaddr.parse("/ip4/127.0.0.1/tcp/1234/"));
        assertEquals(Multiaddr.parse("/ipfs/" + QMCGPS), Multiaddr.parse("/p2p/" + QMCGPS));
        assertEquals(Multiaddr.parse("/ip6/::1").hashCode(), Multiaddr.parse("/ip6/0:0:0:0:0:0:0:1").hashCode());
        assertNotEquals(Multiaddr.parse("/ip4/127.0.0.1/udp/1234"), Multiaddr.parse("/ip4/127.0.0.1/tcp/1234"));
    }

    @Test
    void protocolTable() {
        assertEquals(Optional.of(MultiaddrProtocol.P2P), MultiaddrProtocol.forName("ipfs"));
        assertEquals(Optional.of(MultiaddrProtocol.P2P), MultiaddrProtocol.forName("p2p"));
        assertEquals(Optional.of(MultiaddrProtocol.QUIC_V1), MultiaddrProtocol.forCode(461));
        assertEquals(Optional.empty(), MultiaddrProtocol.forName("ip5"));
        assertEquals(Optional.empty(), MultiaddrProtocol.forCode(1234));
        assertEquals(32, MultiaddrProtocol.IP4.size());
        assertEquals(0, MultiaddrProtocol.P2P_CIRCUIT.size());
        assertEquals(MultiaddrProtocol.VARIABLE, MultiaddrProtocol.DNS.size());
        assertTrue(MultiaddrProtocol.UNIX.isPath());
        assertFalse(MultiaddrProtocol.WS.hasValue());
        int[][] expected = {
            {4, 32}, {6, 16}, {273, 16}, {41, 128}, {42, -1}, {53, -1}, {54, -1}, {55, -1}, {56, -1},
            {421, -1}, {290, 0}, {477, 0}, {478, 0}, {448, 0}, {449, -1}, {454, 0}, {460, 0}, {461, 0},
            {465, 0}, {466, -1}, {480, 0}, {400, -1}, {777, -1},
        };
        for (int[] row : expected) {
            MultiaddrProtocol p = MultiaddrProtocol.forCode(row[0]).orElseThrow();
            assertEquals(row[1], p.size(), p.protocolName());
            assertEquals(p, MultiaddrProtocol.forName(p.protocolName()).orElseThrow());
        }
        for (MultiaddrProtocol p : MultiaddrProtocol.values()) {
            assertEquals(p, MultiaddrProtocol.forCode(p.code()).orElseThrow(), p.protocolName());
        }
    }
}
