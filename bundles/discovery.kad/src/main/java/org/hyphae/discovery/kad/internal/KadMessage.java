package org.hyphae.discovery.kad.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;

/**
 * The kad-dht {@code Message} protobuf (libp2p/specs kad-dht), encoded by hand:
 *
 * <pre>
 * message Record { bytes key = 1; bytes value = 2; string timeReceived = 5; }
 * message Message {
 *   enum MessageType { PUT_VALUE = 0; GET_VALUE = 1; ADD_PROVIDER = 2; GET_PROVIDERS = 3; FIND_NODE = 4; PING = 5; }
 *   enum ConnectionType { NOT_CONNECTED = 0; CONNECTED = 1; CAN_CONNECT = 2; CANNOT_CONNECT = 3; }
 *   message Peer { bytes id = 1; repeated bytes addrs = 2; ConnectionType connection = 3; }
 *   MessageType type = 1; int32 clusterLevelRaw = 10; bytes key = 2; Record record = 3;
 *   repeated Peer closerPeers = 8; repeated Peer providerPeers = 9;
 * }
 * </pre>
 *
 * Unknown fields are skipped, as protobuf requires.
 */
public record KadMessage(Type type, byte[] key, Record record, List<Peer> closerPeers, List<Peer> providerPeers) {

    /** The message types, numbered as on the wire. */
    public enum Type {
        PUT_VALUE, GET_VALUE, ADD_PROVIDER, GET_PROVIDERS, FIND_NODE, PING;

        static Type of(int n) throws InvalidProtocolBufferException {
            if (n < 0 || n >= values().length) {
                throw new InvalidProtocolBufferException("unknown kad message type " + n);
            }
            return values()[n];
        }
    }

    /** A value record; {@code timeReceived} is RFC 3339 text or empty. */
    public record Record(byte[] key, byte[] value, String timeReceived) {
        public Record {
            key = key == null ? new byte[0] : key;
            value = value == null ? new byte[0] : value;
            timeReceived = timeReceived == null ? "" : timeReceived;
        }
    }

    /** A peer entry: raw peer id bytes, raw multiaddr bytes, connection type. */
    public record Peer(byte[] id, List<byte[]> addrs, int connection) {
        public Peer {
            id = id == null ? new byte[0] : id;
            addrs = List.copyOf(addrs);
        }
    }

    public KadMessage {
        key = key == null ? new byte[0] : key;
        closerPeers = List.copyOf(closerPeers);
        providerPeers = List.copyOf(providerPeers);
    }

    /** A request with only a type and a key. */
    public static KadMessage request(Type type, byte[] key) {
        return new KadMessage(type, key, null, List.of(), List.of());
    }

    /** Encodes the message (without the length prefix). */
    public byte[] encode() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.writeEnum(1, type.ordinal());
            if (key.length > 0) {
                out.writeByteArray(2, key);
            }
            if (record != null) {
                out.writeByteArray(3, encodeRecord(record));
            }
            for (Peer p : closerPeers) {
                out.writeByteArray(8, encodePeer(p));
            }
            for (Peer p : providerPeers) {
                out.writeByteArray(9, encodePeer(p));
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("encoding to memory failed", e);
        }
    }

    private static byte[] encodeRecord(Record r) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeByteArray(1, r.key());
        out.writeByteArray(2, r.value());
        if (!r.timeReceived().isEmpty()) {
            out.writeString(5, r.timeReceived());
        }
        out.flush();
        return bytes.toByteArray();
    }

    private static byte[] encodePeer(Peer p) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeByteArray(1, p.id());
        for (byte[] a : p.addrs()) {
            out.writeByteArray(2, a);
        }
        if (p.connection() != 0) {
            out.writeEnum(3, p.connection());
        }
        out.flush();
        return bytes.toByteArray();
    }

    /**
     * Decodes a message.
     *
     * @throws InvalidProtocolBufferException if the bytes are not a kad message
     */
    public static KadMessage decode(byte[] data) throws InvalidProtocolBufferException {
        CodedInputStream in = CodedInputStream.newInstance(data);
        Type type = Type.PING;
        boolean typeSeen = false;
        byte[] key = null;
        Record record = null;
        List<Peer> closer = new ArrayList<>();
        List<Peer> providers = new ArrayList<>();
        try {
            while (true) {
                int tag = in.readTag();
                if (tag == 0) {
                    break;
                }
                switch (tag) {
                    case (1 << 3) | WireFormat.WIRETYPE_VARINT -> {
                        type = Type.of(in.readEnum());
                        typeSeen = true;
                    }
                    case (2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> key = in.readByteArray();
                    case (3 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> record = decodeRecord(in.readByteArray());
                    case (8 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> closer.add(decodePeer(in.readByteArray()));
                    case (9 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> providers.add(decodePeer(in.readByteArray()));
                    default -> {
                        if (!in.skipField(tag)) {
                            break;
                        }
                    }
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidProtocolBufferException(e);
        }
        if (!typeSeen) {
            // proto3 default: an absent type is PUT_VALUE (0).
            type = Type.PUT_VALUE;
        }
        return new KadMessage(type, key, record, closer, providers);
    }

    private static Record decodeRecord(byte[] data) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(data);
        byte[] key = null;
        byte[] value = null;
        String time = "";
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            switch (tag) {
                case (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> key = in.readByteArray();
                case (2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> value = in.readByteArray();
                case (5 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> time = in.readStringRequireUtf8();
                default -> in.skipField(tag);
            }
        }
        return new Record(key, value, time);
    }

    private static Peer decodePeer(byte[] data) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(data);
        byte[] id = null;
        List<byte[]> addrs = new ArrayList<>();
        int connection = 0;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            switch (tag) {
                case (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> id = in.readByteArray();
                case (2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> addrs.add(in.readByteArray());
                case (3 << 3) | WireFormat.WIRETYPE_VARINT -> connection = in.readEnum();
                default -> in.skipField(tag);
            }
        }
        return new Peer(id, addrs, connection);
    }
}
