package org.hyphae.transport;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.hyphae.identity.PeerId;
import org.hyphae.multiformats.Multibase;
import org.hyphae.multiformats.Varint;

/**
 * A <a href="https://github.com/multiformats/multiaddr">multiaddr</a>: a self-describing network
 * address made of components, each a {@link MultiaddrProtocol} and its value, such as
 * {@code /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW...}. Immutable.
 *
 * <p>The binary form is, per component, {@code varint(code)} followed by the value: nothing, the
 * fixed-size bytes, or {@code varint(length) bytes} for variable-size protocols. It is the
 * canonical form: {@link #equals(Object)} compares it. {@link #toString()} gives the canonical text
 * (IPv6 compressed as RFC 5952 says, {@code /ipfs} written {@code /p2p}, peer ids in base58btc).
 *
 * <p>Text parsing is strict: ip4 must be a dotted quad without leading zeros, ip6 a literal
 * checked by a strict parser (never looked up in DNS), ports 0-65535 in decimal, names non-empty.
 * One trailing {@code '/'} is allowed; empty components are not. A {@code /unix} path takes the
 * rest of the text. The empty multiaddr, written {@code "/"}, exists (it is what decapsulating
 * everything leaves).
 */
public final class Multiaddr {

    private static final Multiaddr EMPTY = new Multiaddr(List.of(), new byte[0]);

    /**
     * One component: a protocol and its value in binary form. Immutable: the value is copied in and
     * out.
     *
     * @param protocol the protocol
     * @param value the binary value, empty for protocols without one
     */
    public record Component(MultiaddrProtocol protocol, byte[] value) {

        /**
         * Checks and copies the value.
         *
         * @throws IllegalArgumentException if the value does not fit the protocol (wrong length, bad
         *     peer id, invalid UTF-8, ...)
         */
        public Component {
            Objects.requireNonNull(protocol, "protocol");
            value = value == null ? new byte[0] : value.clone();
            protocol.checkValue(value);
        }

        /**
         * Creates a component from a text value.
         *
         * @param protocol the protocol
         * @param text the value as it appears in a multiaddr string; ignored (may be null) for
         *     protocols without a value
         * @return the component
         * @throws IllegalArgumentException if the text is not a valid value for the protocol
         */
        public static Component of(MultiaddrProtocol protocol, String text) {
            Objects.requireNonNull(protocol, "protocol");
            if (!protocol.hasValue()) {
                return new Component(protocol, new byte[0]);
            }
            return new Component(protocol, protocol.parseValue(Objects.requireNonNull(text, "text")));
        }

        /**
         * Returns the binary value.
         *
         * @return a copy of the value
         */
        @Override
        public byte[] value() {
            return value.clone();
        }

        /**
         * Returns the value in canonical text form.
         *
         * @return for example {@code "127.0.0.1"}, {@code "4001"} or a base58btc peer id; the empty
         *     string for protocols without a value
         */
        public String valueString() {
            return protocol.hasValue() ? protocol.formatValue(value) : "";
        }

        /**
         * Compares protocol and value bytes.
         *
         * @param o another object
         * @return whether {@code o} is the same component
         */
        @Override
        public boolean equals(Object o) {
            return o instanceof Component && protocol == ((Component) o).protocol
                    && Arrays.equals(value, ((Component) o).value);
        }

        /**
         * Returns a hash code consistent with {@link #equals(Object)}.
         *
         * @return the hash code
         */
        @Override
        public int hashCode() {
            return 31 * protocol.hashCode() + Arrays.hashCode(value);
        }

        /**
         * Returns the component's text form.
         *
         * @return for example {@code "/tcp/4001"} or {@code "/unix/tmp/p2p.sock"}
         */
        @Override
        public String toString() {
            if (!protocol.hasValue()) {
                return "/" + protocol.protocolName();
            }
            if (protocol.isPath()) {
                return "/" + protocol.protocolName() + valueString();
            }
            return "/" + protocol.protocolName() + "/" + valueString();
        }

        private void writeTo(ByteArrayOutputStream out) {
            out.writeBytes(Varint.encode(protocol.code()));
            if (protocol.size() == MultiaddrProtocol.VARIABLE) {
                out.writeBytes(Varint.encode(value.length));
            }
            out.writeBytes(value);
        }
    }

    private final List<Component> components;
    private final byte[] bytes;

    private Multiaddr(List<Component> components, byte[] bytes) {
        this.components = components;
        this.bytes = bytes;
    }

    /**
     * Builds a multiaddr from components.
     *
     * @param components the components in order
     * @return the multiaddr (the empty one for an empty list)
     */
    public static Multiaddr of(List<Component> components) {
        List<Component> copy = List.copyOf(components);
        if (copy.isEmpty()) {
            return EMPTY;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Component c : copy) {
            c.writeTo(out);
        }
        return new Multiaddr(copy, out.toByteArray());
    }

    /**
     * Returns the empty multiaddr, whose text is {@code "/"} and binary form is empty.
     *
     * @return the empty multiaddr
     */
    public static Multiaddr empty() {
        return EMPTY;
    }

    /**
     * Parses the text form.
     *
     * @param text for example {@code "/ip4/127.0.0.1/tcp/4001"}
     * @return the multiaddr
     * @throws IllegalArgumentException if the text is not a valid multiaddr; the message quotes the
     *     text, names the bad part and gives its offset, for example
     *     {@code invalid multiaddr "/ip4/1.2.3/tcp/1": bad ip4 address "1.2.3" at offset 5}
     */
    public static Multiaddr parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isEmpty() || text.charAt(0) != '/') {
            throw parseError(text, "must start with '/'", 0, null);
        }
        List<Component> out = new ArrayList<>();
        int end = text.length();
        int pos = 1;
        while (pos < end) {
            int slash = text.indexOf('/', pos);
            int nameEnd = slash < 0 ? end : slash;
            String name = text.substring(pos, nameEnd);
            if (name.isEmpty()) {
                throw parseError(text, "empty protocol name", pos, null);
            }
            int nameStart = pos;
            MultiaddrProtocol protocol = MultiaddrProtocol.forName(name)
                    .orElseThrow(() -> parseError(text, "unknown protocol \"" + name + "\"", nameStart, null));
            int next;
            if (!protocol.hasValue()) {
                out.add(new Component(protocol, new byte[0]));
                next = nameEnd;
            } else if (protocol.isPath()) {
                String path = text.substring(nameEnd);
                if (path.length() < 2) {
                    throw parseError(text, "missing value for " + name, nameEnd, null);
                }
                out.add(new Component(protocol, valueBytes(text, protocol, path, nameEnd)));
                next = end;
            } else {
                int valueStart = nameEnd + 1;
                int valueSlash = valueStart > end ? -1 : text.indexOf('/', valueStart);
                int valueEnd = valueSlash < 0 ? end : valueSlash;
                if (nameEnd == end || valueEnd == valueStart) {
                    throw parseError(text, "missing value for " + name, Math.min(valueStart, end), null);
                }
                String value = text.substring(valueStart, valueEnd);
                out.add(new Component(protocol, valueBytes(text, protocol, value, valueStart)));
                next = valueEnd;
            }
            // next is at the end or at a '/'; one trailing '/' is allowed.
            pos = next + 1;
        }
        return of(out);
    }

    private static byte[] valueBytes(String text, MultiaddrProtocol protocol, String value, int offset) {
        try {
            return protocol.parseValue(value);
        } catch (IllegalArgumentException e) {
            throw parseError(text, e.getMessage(), offset, e);
        }
    }

    private static IllegalArgumentException parseError(String text, String what, int offset, Throwable cause) {
        return new IllegalArgumentException(
                "invalid multiaddr \"" + text + "\": " + what + " at offset " + offset, cause);
    }

    /**
     * Decodes the binary form.
     *
     * @param bytes the binary multiaddr; an empty array is the empty multiaddr
     * @return the multiaddr
     * @throws IllegalArgumentException if the bytes are not a valid multiaddr (unknown protocol
     *     code, truncated or invalid value, trailing garbage); the message gives the offset
     */
    public static Multiaddr decode(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        List<Component> out = new ArrayList<>();
        int pos = 0;
        while (pos < bytes.length) {
            int start = pos;
            Varint.Decoded code;
            try {
                code = Varint.decodeWithLength(bytes, pos);
            } catch (IllegalArgumentException e) {
                throw decodeError(bytes, "bad protocol code: " + e.getMessage(), pos, e);
            }
            MultiaddrProtocol protocol = MultiaddrProtocol.forCode(code.value())
                    .orElseThrow(() -> decodeError(bytes, "unknown protocol code " + code.value(), start, null));
            pos += code.length();
            int length;
            if (protocol.size() == MultiaddrProtocol.VARIABLE) {
                Varint.Decoded len;
                try {
                    len = Varint.decodeWithLength(bytes, pos);
                } catch (IllegalArgumentException e) {
                    throw decodeError(bytes, "bad " + protocol + " value length: " + e.getMessage(), pos, e);
                }
                pos += len.length();
                if (len.value() > bytes.length - pos) {
                    throw decodeError(bytes, "truncated " + protocol + " value: length " + len.value()
                            + " but " + (bytes.length - pos) + " byte(s) remain", pos, null);
                }
                length = (int) len.value();
            } else {
                length = protocol.size() / 8;
                if (length > bytes.length - pos) {
                    throw decodeError(bytes, "truncated " + protocol + " value: needs " + length + " byte(s) but "
                            + (bytes.length - pos) + " remain", pos, null);
                }
            }
            byte[] value = Arrays.copyOfRange(bytes, pos, pos + length);
            try {
                out.add(new Component(protocol, value));
            } catch (IllegalArgumentException e) {
                String hex = hexForMessage(bytes);
                throw new IllegalArgumentException(
                        "invalid multiaddr bytes " + hex + ": " + e.getMessage() + " (" + protocol + " value at offset "
                                + pos + ")", e);
            }
            pos += length;
        }
        return of(out);
    }

    private static IllegalArgumentException decodeError(byte[] bytes, String what, int offset, Throwable cause) {
        return new IllegalArgumentException(
                "invalid multiaddr bytes " + hexForMessage(bytes) + ": " + what + " at offset " + offset, cause);
    }

    private static String hexForMessage(byte[] bytes) {
        return bytes.length <= 64
                ? Multibase.BASE16.encodeRaw(bytes)
                : Multibase.BASE16.encodeRaw(Arrays.copyOf(bytes, 64)) + "...";
    }

    /**
     * Returns the binary form.
     *
     * @return a copy of the bytes
     */
    public byte[] bytes() {
        return bytes.clone();
    }

    /**
     * Returns the components.
     *
     * @return an unmodifiable list, empty for the empty multiaddr
     */
    public List<Component> components() {
        return components;
    }

    /**
     * Tells whether this is the empty multiaddr.
     *
     * @return true if there are no components
     */
    public boolean isEmpty() {
        return components.isEmpty();
    }

    /**
     * Appends another multiaddr's components.
     *
     * @param inner the address to wrap inside this one
     * @return this address followed by {@code inner}
     */
    public Multiaddr encapsulate(Multiaddr inner) {
        Objects.requireNonNull(inner, "inner");
        List<Component> all = new ArrayList<>(components);
        all.addAll(inner.components);
        return of(all);
    }

    /**
     * Parses a multiaddr and appends its components.
     *
     * @param inner the address text, such as {@code "/p2p-circuit"}
     * @return this address followed by {@code inner}
     * @throws IllegalArgumentException if {@code inner} does not parse
     */
    public Multiaddr encapsulate(String inner) {
        return encapsulate(parse(inner));
    }

    /**
     * Removes the last occurrence of a sequence of components and everything after it, as
     * js-multiaddr's {@code decapsulate} does (it throws too when the address does not occur), but
     * matching whole components rather than text.
     *
     * @param outer the components to remove
     * @return the components before the last occurrence of {@code outer}; this address unchanged if
     *     {@code outer} is empty
     * @throws IllegalArgumentException if {@code outer} does not occur in this address
     */
    public Multiaddr decapsulate(Multiaddr outer) {
        Objects.requireNonNull(outer, "outer");
        List<Component> needle = outer.components;
        if (needle.isEmpty()) {
            return this;
        }
        for (int i = components.size() - needle.size(); i >= 0; i--) {
            if (components.subList(i, i + needle.size()).equals(needle)) {
                return of(components.subList(0, i));
            }
        }
        throw new IllegalArgumentException("multiaddr " + this + " does not contain " + outer);
    }

    /**
     * Removes the last component of a protocol and everything after it, as js-multiaddr's
     * {@code decapsulateCode} does.
     *
     * @param protocol the protocol to cut at
     * @return the components before its last occurrence, or this address unchanged if the protocol
     *     does not occur
     */
    public Multiaddr decapsulate(MultiaddrProtocol protocol) {
        Objects.requireNonNull(protocol, "protocol");
        for (int i = components.size() - 1; i >= 0; i--) {
            if (components.get(i).protocol() == protocol) {
                return of(components.subList(0, i));
            }
        }
        return this;
    }

    /**
     * Returns the peer id this address leads to: the value of the last {@code p2p} component, unless
     * a {@code p2p-circuit} follows it, in which case the address names a relay but not the target
     * (js-multiaddr's {@code getPeerId}).
     *
     * @return the peer id, or empty
     */
    public Optional<PeerId> peerId() {
        Component last = null;
        for (Component c : components) {
            if (c.protocol() == MultiaddrProtocol.P2P) {
                last = c;
            } else if (c.protocol() == MultiaddrProtocol.P2P_CIRCUIT) {
                last = null;
            }
        }
        return last == null ? Optional.empty() : Optional.of(PeerId.fromBytes(last.value));
    }

    /**
     * Returns this address ending in {@code /p2p/<peer>}: a trailing {@code p2p} component is
     * replaced, otherwise one is appended.
     *
     * @param peer the peer id
     * @return the address with the peer id
     */
    public Multiaddr withPeerId(PeerId peer) {
        Objects.requireNonNull(peer, "peer");
        List<Component> all = new ArrayList<>(withoutPeerId().components);
        all.add(new Component(MultiaddrProtocol.P2P, peer.bytes()));
        return of(all);
    }

    /**
     * Removes a trailing {@code p2p} component.
     *
     * @return this address without its last component if that is {@code p2p}, otherwise this
     *     address unchanged
     */
    public Multiaddr withoutPeerId() {
        int n = components.size();
        if (n > 0 && components.get(n - 1).protocol() == MultiaddrProtocol.P2P) {
            return of(components.subList(0, n - 1));
        }
        return this;
    }

    /**
     * Returns the text value of the first component of a protocol.
     *
     * @param protocol the protocol
     * @return its value text (the empty string for protocols without a value), or empty if the
     *     protocol does not occur
     */
    public Optional<String> valueFor(MultiaddrProtocol protocol) {
        Objects.requireNonNull(protocol, "protocol");
        for (Component c : components) {
            if (c.protocol() == protocol) {
                return Optional.of(c.valueString());
            }
        }
        return Optional.empty();
    }

    /**
     * Tells whether a protocol occurs.
     *
     * @param protocol the protocol
     * @return true if any component has it
     */
    public boolean has(MultiaddrProtocol protocol) {
        Objects.requireNonNull(protocol, "protocol");
        for (Component c : components) {
            if (c.protocol() == protocol) {
                return true;
            }
        }
        return false;
    }

    /**
     * Compares the binary forms.
     *
     * @param o another object
     * @return whether {@code o} is a multiaddr with the same bytes
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Multiaddr && Arrays.equals(bytes, ((Multiaddr) o).bytes);
    }

    /**
     * Returns a hash code consistent with {@link #equals(Object)}.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /**
     * Returns the canonical text form.
     *
     * @return for example {@code "/ip6/::1/tcp/4001"}; {@code "/"} for the empty multiaddr
     */
    @Override
    public String toString() {
        if (components.isEmpty()) {
            return "/";
        }
        StringBuilder sb = new StringBuilder();
        for (Component c : components) {
            sb.append(c);
        }
        return sb.toString();
    }
}
