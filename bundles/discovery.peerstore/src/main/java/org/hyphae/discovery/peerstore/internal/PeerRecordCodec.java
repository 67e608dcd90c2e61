package org.hyphae.discovery.peerstore.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;

import org.hyphae.identity.PeerId;
import org.hyphae.transport.Multiaddr;

/**
 * A peer record on disk: a version byte, then protobuf fields (so later versions can add fields
 * that older readers skip).
 *
 * <pre>
 * 1 peer id bytes     2 address (repeated: 1 multiaddr bytes, 2 source (repeated), 3 last seen, 4 expires)
 * 3 public key        4 protocol (repeated)   5 agent   6 latency ns (+1; 0 = none)
 * 7 score (double)    8 score at   9 first seen   10 last seen   11 last connected
 * </pre>
 *
 * Times are epoch milliseconds. Decoding checks everything it reads and throws
 * {@link CorruptRecordException} saying what is wrong.
 */
final class PeerRecordCodec {

    static final byte VERSION = 1;
    /** No record of a bounded peer comes near this; anything bigger is damage. */
    static final int MAX_RECORD_BYTES = 256 * 1024;

    /** A record that cannot be read back. */
    static final class CorruptRecordException extends Exception {
        private static final long serialVersionUID = 1L;

        CorruptRecordException(String message) {
            super(message);
        }
    }

    private PeerRecordCodec() {
    }

    static byte[] encode(PeerEntry e) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
            bytes.write(VERSION);
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.writeByteArray(1, e.peer.bytes());
            for (PeerEntry.Address a : e.addresses.values()) {
                ByteArrayOutputStream inner = new ByteArrayOutputStream(64);
                CodedOutputStream in = CodedOutputStream.newInstance(inner);
                in.writeByteArray(1, a.address.bytes());
                for (String s : a.sources) {
                    in.writeString(2, s);
                }
                in.writeInt64(3, a.lastSeen);
                in.writeInt64(4, a.expires);
                in.flush();
                out.writeByteArray(2, inner.toByteArray());
            }
            if (e.publicKey != null) {
                out.writeByteArray(3, e.publicKey);
            }
            for (String p : e.protocols) {
                out.writeString(4, p);
            }
            out.writeString(5, e.agentVersion);
            out.writeInt64(6, e.latencyNanos + 1);
            out.writeDouble(7, e.score);
            out.writeInt64(8, e.scoreAt);
            out.writeInt64(9, e.firstSeen);
            out.writeInt64(10, e.lastSeen);
            out.writeInt64(11, e.lastConnected);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
    }

    /**
     * Reads a record stored under the key of {@code expected}.
     *
     * @throws CorruptRecordException if it is truncated, has a wrong version or field, or names
     *     another peer than its key
     */
    static PeerEntry decode(PeerId expected, byte[] data) throws CorruptRecordException {
        if (data.length == 0) {
            throw new CorruptRecordException("empty record");
        }
        if (data.length > MAX_RECORD_BYTES) {
            throw new CorruptRecordException(data.length + " bytes, more than " + MAX_RECORD_BYTES);
        }
        if (data[0] != VERSION) {
            throw new CorruptRecordException("unknown format version " + (data[0] & 0xff) + " (expected " + VERSION + ")");
        }
        try {
            CodedInputStream in = CodedInputStream.newInstance(data, 1, data.length - 1);
            PeerEntry e = null;
            Set<String> protocols = new LinkedHashSet<>();
            while (!in.isAtEnd()) {
                int tag = in.readTag();
                int field = WireFormat.getTagFieldNumber(tag);
                if (field != 1 && e == null) {
                    throw new CorruptRecordException("field " + field + " before the peer id");
                }
                switch (field) {
                    case 1 -> {
                        PeerId id = PeerId.fromBytes(in.readByteArray());
                        if (!id.equals(expected)) {
                            throw new CorruptRecordException("record of " + id + " stored under the key of " + expected);
                        }
                        e = new PeerEntry(id, 0);
                    }
                    case 2 -> readAddress(e, in.readByteArray());
                    case 3 -> e.publicKey = in.readByteArray();
                    case 4 -> protocols.add(in.readString());
                    case 5 -> e.agentVersion = in.readString();
                    case 6 -> e.latencyNanos = in.readInt64() - 1;
                    case 7 -> e.score = checkedScore(in.readDouble());
                    case 8 -> e.scoreAt = in.readInt64();
                    case 9 -> e.firstSeen = in.readInt64();
                    case 10 -> e.lastSeen = in.readInt64();
                    case 11 -> e.lastConnected = in.readInt64();
                    default -> in.skipField(tag);
                }
            }
            if (e == null) {
                throw new CorruptRecordException("no peer id");
            }
            if (e.publicKey != null) {
                // A stored key must be the peer's: a record that says otherwise was damaged or forged.
                PeerId.PublicKey key = PeerId.PublicKey.decode(e.publicKey);
                if (!key.toPeerId().equals(e.peer)) {
                    throw new CorruptRecordException("its public key belongs to " + key.toPeerId());
                }
            }
            e.protocols = Set.copyOf(protocols);
            return e;
        } catch (IOException | RuntimeException bad) {
            throw new CorruptRecordException(bad.getClass().getSimpleName() + ": " + bad.getMessage());
        }
    }

    private static double checkedScore(double s) throws CorruptRecordException {
        if (!Double.isFinite(s)) {
            throw new CorruptRecordException("score " + s);
        }
        return s;
    }

    private static void readAddress(PeerEntry e, byte[] bytes) throws IOException, CorruptRecordException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        Multiaddr address = null;
        Set<String> sources = new LinkedHashSet<>();
        long lastSeen = 0;
        long expires = 0;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> address = Multiaddr.decode(in.readByteArray());
                case 2 -> sources.add(in.readString());
                case 3 -> lastSeen = in.readInt64();
                case 4 -> expires = in.readInt64();
                default -> in.skipField(tag);
            }
        }
        if (address == null) {
            throw new CorruptRecordException("an address entry without an address");
        }
        PeerEntry.Address a = new PeerEntry.Address(address, lastSeen, expires);
        a.sources.addAll(sources);
        e.addresses.put(address, a);
    }

    /** A deep copy, taken under the book's lock so encoding can happen outside it. */
    static PeerEntry copy(PeerEntry e) {
        PeerEntry c = new PeerEntry(e.peer, e.firstSeen);
        for (PeerEntry.Address a : e.addresses.values()) {
            PeerEntry.Address ac = new PeerEntry.Address(a.address, a.lastSeen, a.expires);
            ac.sources.addAll(a.sources);
            c.addresses.put(a.address, ac);
        }
        c.publicKey = e.publicKey;
        c.protocols = e.protocols;
        c.agentVersion = e.agentVersion;
        c.latencyNanos = e.latencyNanos;
        c.score = e.score;
        c.scoreAt = e.scoreAt;
        c.lastSeen = e.lastSeen;
        c.lastConnected = e.lastConnected;
        return c;
    }

    static String key(PeerId peer) {
        return PREFIX + peer.toBase58();
    }

    static final String PREFIX = "/peerstore/";

    static byte[] keyBytes(PeerId peer) {
        return key(peer).getBytes(StandardCharsets.UTF_8);
    }
}
