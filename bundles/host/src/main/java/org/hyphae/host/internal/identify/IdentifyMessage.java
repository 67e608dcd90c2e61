package org.hyphae.host.internal.identify;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;

import org.hyphae.transport.streamio.MalformedMessageException;

/**
 * The identify protobuf (libp2p/specs identify/README.md), proto2, every field optional:
 *
 * <pre>
 * message Identify {
 *   optional string protocolVersion = 5;
 *   optional string agentVersion = 6;
 *   optional bytes publicKey = 1;
 *   repeated bytes listenAddrs = 2;
 *   optional bytes observedAddr = 4;
 *   repeated string protocols = 3;
 *   optional bytes signedPeerRecord = 8;
 * }
 * </pre>
 *
 * <p>Absent fields are {@code null} (or empty lists), so a push that leaves a field out can be told
 * from one that sets it empty. Encoded by hand with protobuf-java's coded streams, in the field
 * order above, which is the order js-libp2p writes: the bytes equal js-libp2p's for the same
 * message. Decoding skips unknown fields (forward compatibility) and rejects a known field with
 * the wrong wire type or a truncated message.
 *
 * @param protocolVersion e.g. {@code ipfs/0.1.0}, or null
 * @param agentVersion e.g. {@code hyphae/0.1.0}, or null
 * @param publicKey the libp2p {@code PublicKey} protobuf, or null
 * @param listenAddrs binary multiaddrs
 * @param observedAddr binary multiaddr, or null
 * @param protocols protocol ids
 * @param signedPeerRecord a signed envelope holding a peer record, or null
 */
public record IdentifyMessage(String protocolVersion, String agentVersion, byte[] publicKey, List<byte[]> listenAddrs,
        byte[] observedAddr, List<String> protocols, byte[] signedPeerRecord) {

    private static final int PUBLIC_KEY = 1;
    private static final int LISTEN_ADDRS = 2;
    private static final int PROTOCOLS = 3;
    private static final int OBSERVED_ADDR = 4;
    private static final int PROTOCOL_VERSION = 5;
    private static final int AGENT_VERSION = 6;
    private static final int SIGNED_PEER_RECORD = 8;

    public IdentifyMessage {
        listenAddrs = List.copyOf(listenAddrs == null ? List.of() : listenAddrs);
        protocols = List.copyOf(protocols == null ? List.of() : protocols);
    }

    /**
     * Serializes the message.
     *
     * @return the protobuf bytes (without a length prefix)
     */
    public byte[] encode() {
        int size = 0;
        if (protocolVersion != null) {
            size += CodedOutputStream.computeStringSize(PROTOCOL_VERSION, protocolVersion);
        }
        if (agentVersion != null) {
            size += CodedOutputStream.computeStringSize(AGENT_VERSION, agentVersion);
        }
        if (publicKey != null) {
            size += CodedOutputStream.computeByteArraySize(PUBLIC_KEY, publicKey);
        }
        for (byte[] a : listenAddrs) {
            size += CodedOutputStream.computeByteArraySize(LISTEN_ADDRS, a);
        }
        if (observedAddr != null) {
            size += CodedOutputStream.computeByteArraySize(OBSERVED_ADDR, observedAddr);
        }
        for (String p : protocols) {
            size += CodedOutputStream.computeStringSize(PROTOCOLS, p);
        }
        if (signedPeerRecord != null) {
            size += CodedOutputStream.computeByteArraySize(SIGNED_PEER_RECORD, signedPeerRecord);
        }
        byte[] out = new byte[size];
        CodedOutputStream o = CodedOutputStream.newInstance(out);
        try {
            if (protocolVersion != null) {
                o.writeString(PROTOCOL_VERSION, protocolVersion);
            }
            if (agentVersion != null) {
                o.writeString(AGENT_VERSION, agentVersion);
            }
            if (publicKey != null) {
                o.writeByteArray(PUBLIC_KEY, publicKey);
            }
            for (byte[] a : listenAddrs) {
                o.writeByteArray(LISTEN_ADDRS, a);
            }
            if (observedAddr != null) {
                o.writeByteArray(OBSERVED_ADDR, observedAddr);
            }
            for (String p : protocols) {
                o.writeString(PROTOCOLS, p);
            }
            if (signedPeerRecord != null) {
                o.writeByteArray(SIGNED_PEER_RECORD, signedPeerRecord);
            }
            o.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException("identify message size miscomputed", e); // cannot happen
        }
        return out;
    }

    /**
     * Parses a message.
     *
     * @param bytes the protobuf bytes (without a length prefix)
     * @return the message
     * @throws MalformedMessageException if the bytes are not a valid encoding: truncated, a bad
     *     varint or tag, or a known field with another wire type than length-delimited
     */
    public static IdentifyMessage decode(byte[] bytes) throws MalformedMessageException {
        Objects.requireNonNull(bytes, "bytes");
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        String protocolVersion = null;
        String agentVersion = null;
        byte[] publicKey = null;
        byte[] observedAddr = null;
        byte[] signedPeerRecord = null;
        List<byte[]> listenAddrs = new ArrayList<>();
        List<String> protocols = new ArrayList<>();
        try {
            while (true) {
                int offset = in.getTotalBytesRead();
                int tag = in.readTag();
                if (tag == 0) {
                    break;
                }
                int field = WireFormat.getTagFieldNumber(tag);
                int wireType = WireFormat.getTagWireType(tag);
                if (field < 1 || field > 8 || field == 7) {
                    if (!in.skipField(tag)) {
                        throw new MalformedMessageException("unexpected end-group tag of field " + field + " at offset "
                                + offset);
                    }
                    continue;
                }
                if (wireType != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    throw new MalformedMessageException("field " + field + " (" + fieldName(field) + ") has wire type "
                            + wireType + " at offset " + offset + ", expected 2 (length-delimited)");
                }
                switch (field) {
                    case PUBLIC_KEY -> publicKey = in.readByteArray();
                    case LISTEN_ADDRS -> listenAddrs.add(in.readByteArray());
                    case PROTOCOLS -> protocols.add(in.readString());
                    case OBSERVED_ADDR -> observedAddr = in.readByteArray();
                    case PROTOCOL_VERSION -> protocolVersion = in.readString();
                    case AGENT_VERSION -> agentVersion = in.readString();
                    case SIGNED_PEER_RECORD -> signedPeerRecord = in.readByteArray();
                    default -> throw new IllegalStateException("field " + field);
                }
            }
        } catch (MalformedMessageException e) {
            throw new MalformedMessageException("malformed Identify protobuf: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new MalformedMessageException("malformed Identify protobuf (" + bytes.length + " bytes): "
                    + e.getMessage(), e);
        }
        return new IdentifyMessage(protocolVersion, agentVersion, publicKey, listenAddrs, observedAddr, protocols,
                signedPeerRecord);
    }

    private static String fieldName(int field) {
        return switch (field) {
            case PUBLIC_KEY -> "publicKey";
            case LISTEN_ADDRS -> "listenAddrs";
            case PROTOCOLS -> "protocols";
            case OBSERVED_ADDR -> "observedAddr";
            case PROTOCOL_VERSION -> "protocolVersion";
            case AGENT_VERSION -> "agentVersion";
            case SIGNED_PEER_RECORD -> "signedPeerRecord";
            default -> "unknown";
        };
    }

    /**
     * Merges messages read from one stream, as js-libp2p and go-libp2p do for a message split in
     * several (libp2p/specs#709): a later single field replaces an earlier one, addresses are
     * concatenated, protocols joined without duplicates.
     *
     * @param messages at least one message, in the order read
     * @return the merged message
     */
    public static IdentifyMessage merge(List<IdentifyMessage> messages) {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge");
        }
        IdentifyMessage m = messages.get(0);
        String protocolVersion = m.protocolVersion;
        String agentVersion = m.agentVersion;
        byte[] publicKey = m.publicKey;
        byte[] observedAddr = m.observedAddr;
        byte[] signedPeerRecord = m.signedPeerRecord;
        List<byte[]> listenAddrs = new ArrayList<>(m.listenAddrs);
        LinkedHashSet<String> protocols = new LinkedHashSet<>(m.protocols);
        for (IdentifyMessage next : messages.subList(1, messages.size())) {
            protocolVersion = next.protocolVersion != null ? next.protocolVersion : protocolVersion;
            agentVersion = next.agentVersion != null ? next.agentVersion : agentVersion;
            publicKey = next.publicKey != null ? next.publicKey : publicKey;
            observedAddr = next.observedAddr != null ? next.observedAddr : observedAddr;
            signedPeerRecord = next.signedPeerRecord != null ? next.signedPeerRecord : signedPeerRecord;
            listenAddrs.addAll(next.listenAddrs);
            protocols.addAll(next.protocols);
        }
        return new IdentifyMessage(protocolVersion, agentVersion, publicKey, listenAddrs, observedAddr,
                List.copyOf(protocols), signedPeerRecord);
    }

    /**
     * Splits this message into messages of at most {@code maxSize} bytes each, for a peer that reads
     * several (libp2p/specs#709): the first carries every single field, the repeated fields are
     * spread over it and the following ones. {@link #merge(List)} of the result gives this message
     * back. A message that fits is returned alone, so peers that read only one message still get it
     * whole whenever it can be.
     *
     * @param maxSize the largest encoded size of one message
     * @return one or more messages
     * @throws IllegalArgumentException if the single fields alone, or one address or protocol with
     *     them, do not fit
     */
    public List<IdentifyMessage> split(int maxSize) {
        if (encode().length <= maxSize) {
            return List.of(this);
        }
        List<IdentifyMessage> out = new ArrayList<>();
        IdentifyMessage current = new IdentifyMessage(protocolVersion, agentVersion, publicKey, List.of(), observedAddr,
                List.of(), signedPeerRecord);
        int base = current.encode().length;
        if (base > maxSize) {
            throw new IllegalArgumentException("identify message without addresses and protocols is " + base
                    + " bytes, over the limit of " + maxSize);
        }
        List<byte[]> addrs = new ArrayList<>();
        List<String> protos = new ArrayList<>();
        int size = base;
        for (byte[] a : listenAddrs) {
            int s = CodedOutputStream.computeByteArraySize(LISTEN_ADDRS, a);
            if (size + s > maxSize) {
                out.add(withRepeated(current, addrs, protos));
                current = new IdentifyMessage(null, null, null, List.of(), null, List.of(), null);
                addrs = new ArrayList<>();
                protos = new ArrayList<>();
                size = 0;
            }
            if (s > maxSize) {
                throw new IllegalArgumentException("a listen address of " + a.length + " bytes does not fit " + maxSize);
            }
            addrs.add(a);
            size += s;
        }
        for (String p : protocols) {
            int s = CodedOutputStream.computeStringSize(PROTOCOLS, p);
            if (size + s > maxSize) {
                out.add(withRepeated(current, addrs, protos));
                current = new IdentifyMessage(null, null, null, List.of(), null, List.of(), null);
                addrs = new ArrayList<>();
                protos = new ArrayList<>();
                size = 0;
            }
            if (s > maxSize) {
                throw new IllegalArgumentException("protocol id " + p + " does not fit " + maxSize + " bytes");
            }
            protos.add(p);
            size += s;
        }
        out.add(withRepeated(current, addrs, protos));
        return out;
    }

    private static IdentifyMessage withRepeated(IdentifyMessage m, List<byte[]> addrs, List<String> protos) {
        return new IdentifyMessage(m.protocolVersion, m.agentVersion, m.publicKey, addrs, m.observedAddr, protos,
                m.signedPeerRecord);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof IdentifyMessage)) {
            return false;
        }
        return Arrays.equals(encode(), ((IdentifyMessage) o).encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        return "Identify[protocolVersion=" + protocolVersion + ", agentVersion=" + agentVersion + ", publicKey="
                + (publicKey == null ? "none" : publicKey.length + " bytes") + ", listenAddrs=" + listenAddrs.size()
                + ", observedAddr=" + (observedAddr == null ? "none" : observedAddr.length + " bytes") + ", protocols="
                + protocols + ", signedPeerRecord=" + (signedPeerRecord == null ? "none" : signedPeerRecord.length
                + " bytes") + "]";
    }
}
