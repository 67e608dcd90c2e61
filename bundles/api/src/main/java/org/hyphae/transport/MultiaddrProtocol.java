package org.hyphae.transport;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import org.hyphae.identity.PeerId;
import org.hyphae.multiformats.Multibase;
import org.hyphae.multiformats.Multihash;

/**
 * The multiaddr protocols this library understands, with the code, name and value size of
 * <a href="https://github.com/multiformats/multiaddr/blob/master/protocols.csv">protocols.csv</a>.
 *
 * <p>A protocol's value is either absent ({@link #size()} 0), of a fixed number of bits, or of
 * variable length ({@link #VARIABLE}), which the binary form prefixes with a varint byte count.
 */
public enum MultiaddrProtocol {
    /** IPv4 address, 4 bytes; text is a dotted quad. */
    IP4(4, 32, "ip4"),
    /** TCP port, 2 bytes big-endian. */
    TCP(6, 16, "tcp"),
    /** UDP port, 2 bytes big-endian. */
    UDP(273, 16, "udp"),
    /** DCCP port, 2 bytes big-endian. */
    DCCP(33, 16, "dccp"),
    /** IPv6 address, 16 bytes; text is RFC 5952 compressed. */
    IP6(41, 128, "ip6"),
    /** RFC 4007 IPv6 zone, UTF-8. */
    IP6ZONE(42, MultiaddrProtocol.VARIABLE, "ip6zone"),
    /** CIDR prefix length, 1 byte; text is decimal. */
    IPCIDR(43, 8, "ipcidr"),
    /** Domain name resolvable to IPv4 and IPv6 addresses, UTF-8. */
    DNS(53, MultiaddrProtocol.VARIABLE, "dns"),
    /** Domain name resolvable only to IPv4 addresses, UTF-8. */
    DNS4(54, MultiaddrProtocol.VARIABLE, "dns4"),
    /** Domain name resolvable only to IPv6 addresses, UTF-8. */
    DNS6(55, MultiaddrProtocol.VARIABLE, "dns6"),
    /** Domain name whose TXT records hold multiaddrs, UTF-8. */
    DNSADDR(56, MultiaddrProtocol.VARIABLE, "dnsaddr"),
    /** SCTP port, 2 bytes big-endian. */
    SCTP(132, 16, "sctp"),
    /** UDT, no value. */
    UDT(301, 0, "udt"),
    /** uTP, no value. */
    UTP(302, 0, "utp"),
    /** Unix domain socket path, UTF-8; in text it takes the rest of the address. */
    UNIX(400, MultiaddrProtocol.VARIABLE, "unix"),
    /** Peer id, the multihash bytes; text is base58btc. Also accepted under the old name {@code ipfs}. */
    P2P(421, MultiaddrProtocol.VARIABLE, "p2p", "ipfs"),
    /** Tor onion service (v2): 10 address bytes and a 2-byte port; text {@code base32:port}. */
    ONION(444, 96, "onion"),
    /** Tor onion service (v3): 35 address bytes and a 2-byte port; text {@code base32:port}. */
    ONION3(445, 296, "onion3"),
    /** TLS, no value. */
    TLS(448, 0, "tls"),
    /** TLS Server Name Indication (RFC 6066 section 3), UTF-8. */
    SNI(449, MultiaddrProtocol.VARIABLE, "sni"),
    /** Noise, no value. */
    NOISE(454, 0, "noise"),
    /** QUIC draft-29, no value. */
    QUIC(460, 0, "quic"),
    /** QUIC version 1 (RFC 9000), no value. */
    QUIC_V1(461, 0, "quic-v1"),
    /** WebTransport, no value. */
    WEBTRANSPORT(465, 0, "webtransport"),
    /** A TLS certificate's fingerprint as a multihash; text is multibase (printed as base64url). */
    CERTHASH(466, MultiaddrProtocol.VARIABLE, "certhash"),
    /** HTTP, no value. */
    HTTP(480, 0, "http"),
    /** HTTPS (deprecated alias for {@code /tls/http}), no value. */
    HTTPS(443, 0, "https"),
    /** WebSocket, no value. */
    WS(477, 0, "ws"),
    /** Secure WebSocket (deprecated alias for {@code /tls/ws}), no value. */
    WSS(478, 0, "wss"),
    /** Legacy websocket-star rendezvous, no value. */
    P2P_WEBSOCKET_STAR(479, 0, "p2p-websocket-star"),
    /** Legacy stardust rendezvous, no value. */
    P2P_STARDUST(277, 0, "p2p-stardust"),
    /** Legacy webrtc-star rendezvous, no value. */
    P2P_WEBRTC_STAR(275, 0, "p2p-webrtc-star"),
    /** Legacy webrtc-direct, no value. */
    P2P_WEBRTC_DIRECT(276, 0, "p2p-webrtc-direct"),
    /** WebRTC direct (browser to server), no value. */
    WEBRTC_DIRECT(280, 0, "webrtc-direct"),
    /** WebRTC (browser to browser via a relay), no value. */
    WEBRTC(281, 0, "webrtc"),
    /** Circuit relay, no value. */
    P2P_CIRCUIT(290, 0, "p2p-circuit"),
    /** In-memory transport for tests and self-dialing: an arbitrary UTF-8 name. */
    MEMORY(777, MultiaddrProtocol.VARIABLE, "memory");

    /** The {@link #size()} of protocols whose value has a varint length prefix. */
    public static final int VARIABLE = -1;

    private final int code;
    private final int size;
    private final String protocolName;
    private final String alias;

    MultiaddrProtocol(int code, int size, String protocolName) {
        this(code, size, protocolName, null);
    }

    MultiaddrProtocol(int code, int size, String protocolName, String alias) {
        this.code = code;
        this.size = size;
        this.protocolName = protocolName;
        this.alias = alias;
    }

    /**
     * Returns the protocol code.
     *
     * @return the code written as a varint in the binary form
     */
    public int code() {
        return code;
    }

    /**
     * Returns the value size.
     *
     * @return the value's size in bits, 0 for no value, or {@link #VARIABLE}
     */
    public int size() {
        return size;
    }

    /**
     * Returns the name used in text form.
     *
     * @return for example {@code "quic-v1"}
     */
    public String protocolName() {
        return protocolName;
    }

    /**
     * Tells whether the protocol carries a value.
     *
     * @return false for size 0
     */
    public boolean hasValue() {
        return size != 0;
    }

    /**
     * Tells whether the value is a path that takes the rest of the text form ({@code unix}).
     *
     * @return true for {@link #UNIX}
     */
    public boolean isPath() {
        return this == UNIX;
    }

    /**
     * Looks up a protocol by its text name; {@code "ipfs"} gives {@link #P2P}.
     *
     * @param name a protocol name
     * @return the protocol, or empty if unknown
     */
    public static Optional<MultiaddrProtocol> forName(String name) {
        Objects.requireNonNull(name, "name");
        for (MultiaddrProtocol p : values()) {
            if (p.protocolName.equals(name) || name.equals(p.alias)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Looks up a protocol by its code.
     *
     * @param code a protocol code
     * @return the protocol, or empty if unknown
     */
    public static Optional<MultiaddrProtocol> forCode(long code) {
        for (MultiaddrProtocol p : values()) {
            if (p.code == code) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Returns the text name.
     *
     * @return {@link #protocolName()}
     */
    @Override
    public String toString() {
        return protocolName;
    }

    // ---- value transcoding, used by Multiaddr ----

    /** Converts a text value to its binary form; the message of the exception names the bad value. */
    byte[] parseValue(String text) {
        switch (this) {
            case IP4: {
                byte[] b = parseIp4(text);
                if (b == null) {
                    throw bad("ip4 address", text);
                }
                return b;
            }
            case IP6: {
                byte[] b = parseIp6(text);
                if (b == null) {
                    throw bad("ip6 address", text);
                }
                return b;
            }
            case TCP:
            case UDP:
            case DCCP:
            case SCTP: {
                int port = parseDecimal(text, 65535);
                if (port < 0) {
                    throw bad(protocolName + " port", text);
                }
                return new byte[] {(byte) (port >>> 8), (byte) port};
            }
            case IPCIDR: {
                int bits = parseDecimal(text, 255);
                if (bits < 0) {
                    throw bad("ipcidr prefix length", text);
                }
                return new byte[] {(byte) bits};
            }
            case UNIX:
                if (text.length() < 2 || text.charAt(0) != '/') {
                    throw bad("unix path", text);
                }
                return text.getBytes(StandardCharsets.UTF_8);
            case P2P:
                try {
                    return PeerId.parse(text).bytes();
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("bad p2p value: " + e.getMessage(), e);
                }
            case ONION:
            case ONION3:
                return parseOnion(text);
            case CERTHASH:
                try {
                    byte[] mh = Multibase.decode(text);
                    Multihash.decode(mh);
                    return mh;
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            "bad certhash \"" + text + "\": " + e.getMessage(), e);
                }
            default:
                // UTF-8 names: ip6zone, dns*, sni, memory.
                if (text.isEmpty() || text.indexOf('/') >= 0) {
                    throw bad(protocolName + " value", text);
                }
                return text.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Checks a binary value, its length included; the message says what is wrong. */
    void checkValue(byte[] value) {
        if (size == 0) {
            if (value.length != 0) {
                throw new IllegalArgumentException(protocolName + " takes no value, got " + value.length + " byte(s)");
            }
            return;
        }
        if (size > 0 && value.length != size / 8) {
            throw new IllegalArgumentException(
                    protocolName + " value must be " + size / 8 + " bytes, got " + value.length);
        }
        switch (this) {
            case IP4:
            case IP6:
            case TCP:
            case UDP:
            case DCCP:
            case SCTP:
            case IPCIDR:
                return;
            case P2P:
                try {
                    PeerId.fromBytes(value);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("bad p2p value: " + e.getMessage(), e);
                }
                return;
            case ONION:
            case ONION3:
                if (value[value.length - 2] == 0 && value[value.length - 1] == 0) {
                    throw new IllegalArgumentException("bad " + protocolName + " value: port 0");
                }
                return;
            case CERTHASH:
                try {
                    Multihash.decode(value);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("bad certhash value: " + e.getMessage(), e);
                }
                return;
            case UNIX: {
                String path = utf8(value);
                if (path.length() < 2 || path.charAt(0) != '/') {
                    throw new IllegalArgumentException(
                            "bad unix path \"" + path + "\": must be absolute and not just \"/\"");
                }
                return;
            }
            default: {
                String s = utf8(value);
                if (s.isEmpty() || s.indexOf('/') >= 0) {
                    throw new IllegalArgumentException("bad " + protocolName + " value \"" + s + "\"");
                }
            }
        }
    }

    /** Converts a checked binary value to its canonical text. */
    String formatValue(byte[] value) {
        switch (this) {
            case IP4:
                return (value[0] & 0xFF) + "." + (value[1] & 0xFF) + "." + (value[2] & 0xFF) + "."
                        + (value[3] & 0xFF);
            case IP6:
                return formatIp6(value);
            case TCP:
            case UDP:
            case DCCP:
            case SCTP:
                return Integer.toString(((value[0] & 0xFF) << 8) | (value[1] & 0xFF));
            case IPCIDR:
                return Integer.toString(value[0] & 0xFF);
            case P2P:
                return Multibase.BASE58BTC.encodeRaw(value);
            case ONION:
            case ONION3: {
                int n = value.length - 2;
                byte[] host = new byte[n];
                System.arraycopy(value, 0, host, 0, n);
                int port = ((value[n] & 0xFF) << 8) | (value[n + 1] & 0xFF);
                return Multibase.BASE32.encodeRaw(host) + ":" + port;
            }
            case CERTHASH:
                return Multibase.BASE64URL.encode(value);
            default:
                return new String(value, StandardCharsets.UTF_8);
        }
    }

    private IllegalArgumentException bad(String what, String text) {
        return new IllegalArgumentException("bad " + what + " \"" + text + "\"");
    }

    private static String utf8(byte[] value) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("value is not valid UTF-8", e);
        }
    }

    /** Parses 1-5 decimal digits without a leading zero (except "0"); -1 if invalid or above max. */
    private static int parseDecimal(String text, int max) {
        int n = text.length();
        if (n == 0 || n > 5 || (n > 1 && text.charAt(0) == '0')) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= max ? v : -1;
    }

    /** Strict dotted quad: four decimal octets 0-255 without leading zeros; null if invalid. */
    static byte[] parseIp4(String text) {
        byte[] out = new byte[4];
        int part = 0;
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '.') {
                if (part == 4) {
                    return null;
                }
                String octet = text.substring(start, i);
                if (octet.length() > 3) {
                    return null;
                }
                int v = parseDecimal(octet, 255);
                if (v < 0) {
                    return null;
                }
                out[part++] = (byte) v;
                start = i + 1;
            }
        }
        return part == 4 ? out : null;
    }

    /**
     * Strict IPv6 text (RFC 4291 section 2.2): eight groups of 1-4 hex digits, at most one "::",
     * optionally ending in a dotted quad; no zone, no brackets. Null if invalid.
     */
    static byte[] parseIp6(String text) {
        String s = text;
        byte[] v4 = null;
        if (s.indexOf('.') >= 0) {
            int lastColon = s.lastIndexOf(':');
            if (lastColon < 0) {
                return null;
            }
            v4 = parseIp4(s.substring(lastColon + 1));
            if (v4 == null) {
                return null;
            }
            s = s.substring(0, lastColon + 1) + "0:0";
        }
        int[] groups = new int[8];
        int dc = s.indexOf("::");
        if (dc >= 0) {
            if (s.indexOf("::", dc + 1) >= 0) {
                return null;
            }
            int[] head = parseGroups(s.substring(0, dc));
            int[] tail = parseGroups(s.substring(dc + 2));
            if (head == null || tail == null || head.length + tail.length > 7) {
                return null;
            }
            System.arraycopy(head, 0, groups, 0, head.length);
            System.arraycopy(tail, 0, groups, 8 - tail.length, tail.length);
        } else {
            int[] all = parseGroups(s);
            if (all == null || all.length != 8) {
                return null;
            }
            groups = all;
        }
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[2 * i] = (byte) (groups[i] >>> 8);
            out[2 * i + 1] = (byte) groups[i];
        }
        if (v4 != null) {
            System.arraycopy(v4, 0, out, 12, 4);
        }
        return out;
    }

    /** Colon-separated groups of 1-4 hex digits; the empty string is no groups; null if invalid. */
    private static int[] parseGroups(String s) {
        if (s.isEmpty()) {
            return new int[0];
        }
        String[] parts = s.split(":", -1);
        if (parts.length > 8) {
            return null;
        }
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String g = parts[i];
            if (g.isEmpty() || g.length() > 4) {
                return null;
            }
            int v = 0;
            for (int j = 0; j < g.length(); j++) {
                int d = Character.digit(g.charAt(j), 16);
                if (d < 0 || g.charAt(j) > 0x7F) {
                    return null;
                }
                v = (v << 4) | d;
            }
            out[i] = v;
        }
        return out;
    }

    /**
     * RFC 5952 text: lowercase, no leading zeros, the longest run of two or more zero groups (the
     * first on a tie) as "::"; IPv4-mapped addresses as {@code ::ffff:a.b.c.d}, as go-multiaddr does.
     */
    static String formatIp6(byte[] a) {
        boolean mapped = true;
        for (int i = 0; i < 10; i++) {
            mapped &= a[i] == 0;
        }
        if (mapped && (a[10] & 0xFF) == 0xFF && (a[11] & 0xFF) == 0xFF) {
            return "::ffff:" + (a[12] & 0xFF) + "." + (a[13] & 0xFF) + "." + (a[14] & 0xFF) + "."
                    + (a[15] & 0xFF);
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((a[2 * i] & 0xFF) << 8) | (a[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    private byte[] parseOnion(String text) {
        int hostChars = this == ONION ? 16 : 56;
        int colon = text.indexOf(':');
        if (colon < 0 || colon != text.lastIndexOf(':')) {
            throw bad(protocolName + " address (expected host:port)", text);
        }
        String host = text.substring(0, colon);
        if (host.length() != hostChars) {
            throw bad(protocolName + " address (host must be " + hostChars + " base32 characters)", text);
        }
        byte[] hostBytes;
        try {
            hostBytes = Multibase.BASE32.decodeRaw(host.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "bad " + protocolName + " address \"" + text + "\": " + e.getMessage(), e);
        }
        int port = parseDecimal(text.substring(colon + 1), 65535);
        if (port < 1) {
            throw bad(protocolName + " port (1-65535)", text.substring(colon + 1));
        }
        byte[] out = new byte[hostBytes.length + 2];
        System.arraycopy(hostBytes, 0, out, 0, hostBytes.length);
        out[hostBytes.length] = (byte) (port >>> 8);
        out[hostBytes.length + 1] = (byte) port;
        return out;
    }
}
