package org.hyphae.exchange.bitswap.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;

import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.multiformats.Varint;
import org.hyphae.storage.VerifiedBlock;

/**
 * The Bitswap {@code Message} protobuf (ipfs/specs bitswap-protocol), encoded by hand with
 * protobuf-java's coded streams:
 *
 * <pre>
 * message Message {
 *   message Wantlist {
 *     enum WantType { Block = 0; Have = 1; }
 *     message Entry { bytes block = 1; int32 priority = 2; bool cancel = 3; WantType wantType = 4; bool sendDontHave = 5; }
 *     repeated Entry entries = 1; bool full = 2;
 *   }
 *   message Block { bytes prefix = 1; bytes data = 2; }
 *   enum BlockPresenceType { Have = 0; DontHave = 1; }
 *   message BlockPresence { bytes cid = 1; BlockPresenceType type = 2; }
 *   Wantlist wantlist = 1;
 *   repeated bytes blocks = 2;              // 1.0.0: the data of CIDv0 (dag-pb, sha2-256) blocks
 *   repeated Block payload = 3;             // 1.1.0+: blocks with their CID prefix
 *   repeated BlockPresence blockPresences = 4; // 1.2.0
 *   int32 pendingBytes = 5;                 // 1.2.0
 * }
 * </pre>
 *
 * A received block's CID is computed from its prefix and the hash of its bytes, so a block can
 * only ever be taken for the CID its bytes hash to. Unknown fields are skipped.
 *
 * <p>A message to send holds {@code blocks}; a decoded one holds {@code incoming}: blocks whose
 * prefix was checked and whose bytes are hashed later, by {@link Incoming#verify()}.
 */
record BitswapMessage(List<Entry> entries, boolean full, List<Block> blocks, List<Presence> presences,
        int pendingBytes, List<Incoming> incoming) {

    /** A want-list entry. {@code wantHave} false means want-block. */
    record Entry(Cid cid, int priority, boolean cancel, boolean wantHave, boolean sendDontHave) {

        static Entry wantBlock(Cid cid, int priority) {
            return new Entry(cid, priority, false, false, true);
        }

        static Entry wantHave(Cid cid, int priority) {
            return new Entry(cid, priority, false, true, true);
        }

        static Entry cancel(Cid cid) {
            return new Entry(cid, 0, true, false, false);
        }
    }

    /** A block to send, with its CID. */
    record Block(Cid cid, byte[] data) {
    }

    /**
     * A received block: its bytes and the CID prefix they came with, checked (a CID version, a hash
     * function this node computes) but not hashed yet. The receiver hashes it with {@link #verify()}
     * on the thread that stores it, so a message's blocks are hashed in parallel.
     */
    record Incoming(int version, long codec, long hashFunction, byte[] data) {

        /** Hashes the bytes: the block with the CID they have under this prefix. */
        VerifiedBlock verify() {
            return VerifiedBlock.compute(version, codec, hashFunction, data);
        }
    }

    /** A block presence: HAVE or DONT_HAVE. */
    record Presence(Cid cid, boolean have) {
    }

    BitswapMessage {
        entries = List.copyOf(entries);
        blocks = List.copyOf(blocks);
        presences = List.copyOf(presences);
        incoming = List.copyOf(incoming);
    }

    /** A message to send. */
    BitswapMessage(List<Entry> entries, boolean full, List<Block> blocks, List<Presence> presences, int pendingBytes) {
        this(entries, full, blocks, presences, pendingBytes, List.of());
    }

    static BitswapMessage of(List<Entry> entries, List<Block> blocks, List<Presence> presences) {
        return new BitswapMessage(entries, false, blocks, presences, 0);
    }

    boolean isEmpty() {
        return entries.isEmpty() && !full && blocks.isEmpty() && presences.isEmpty() && incoming.isEmpty();
    }

    /** The block payload bytes of this message. */
    long blockBytes() {
        long n = 0;
        for (Block b : blocks) {
            n += b.data().length;
        }
        return n;
    }

    /**
     * Encodes for a peer speaking {@code protocol}: 1.0.0 gets blocks in field 2 and no presences,
     * 1.1.0 gets prefixed blocks and no presences, 1.2.0 gets everything.
     */
    byte[] encode(String protocol) {
        java.nio.ByteBuffer framed = encodeFramed(protocol);
        int length = framed.remaining();
        // Skip the length prefix.
        int body = (int) org.hyphae.multiformats.Varint.decode(framed.duplicate());
        byte[] out = new byte[body];
        framed.position(length - body);
        framed.get(out);
        return out;
    }

    /**
     * Encodes with the {@code uvarint(length)} frame in front, into one exactly sized buffer (used
     * where one array is wanted; a sender writes {@link #encodeParts} instead).
     */
    java.nio.ByteBuffer encodeFramed(String protocol) {
        List<java.nio.ByteBuffer> parts = encodeParts(protocol);
        int size = 0;
        for (java.nio.ByteBuffer part : parts) {
            size += part.remaining();
        }
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(size);
        for (java.nio.ByteBuffer part : parts) {
            out.put(part);
        }
        return out.flip();
    }

    /**
     * Encodes with the {@code uvarint(length)} frame in front, as buffers to write one after the
     * other: the protobuf framing in small arrays, and each block's bytes as they are (wrapped, not
     * copied, so that a 2 MiB message of blocks is not copied once more before the transport copies
     * it for encryption).
     */
    List<java.nio.ByteBuffer> encodeParts(String protocol) {
        boolean v100 = Bitswap.PROTOCOL_100.equals(protocol);
        boolean v120 = Bitswap.PROTOCOL_120.equals(protocol);
        try {
            byte[] wantlist = !entries.isEmpty() || full ? encodeWantlist(v120) : null;
            int size = wantlist == null ? 0 : CodedOutputStream.computeByteArraySize(1, wantlist);
            byte[][] prefixes = new byte[blocks.size()][];
            for (int i = 0; i < blocks.size(); i++) {
                Block b = blocks.get(i);
                if (v100) {
                    size += CodedOutputStream.computeByteArraySize(2, b.data());
                } else {
                    prefixes[i] = prefix(b.cid());
                    int inner = CodedOutputStream.computeByteArraySize(1, prefixes[i])
                            + CodedOutputStream.computeByteArraySize(2, b.data());
                    size += CodedOutputStream.computeTagSize(3) + CodedOutputStream.computeUInt32SizeNoTag(inner) + inner;
                }
            }
            int[] presenceSizes = new int[presences.size()];
            if (v120) {
                for (int i = 0; i < presences.size(); i++) {
                    Presence p = presences.get(i);
                    presenceSizes[i] = CodedOutputStream.computeByteArraySize(1, p.cid().bytes())
                            + (p.have() ? 0 : CodedOutputStream.computeEnumSize(2, 1));
                    size += CodedOutputStream.computeTagSize(4) + CodedOutputStream.computeUInt32SizeNoTag(presenceSizes[i])
                            + presenceSizes[i];
                }
                if (pendingBytes != 0) {
                    size += CodedOutputStream.computeInt32Size(5, pendingBytes);
                }
            }
            List<java.nio.ByteBuffer> parts = new ArrayList<>(2 * blocks.size() + 2);
            ByteArrayOutputStream head = new ByteArrayOutputStream(64 + (wantlist == null ? 0 : wantlist.length));
            CodedOutputStream o = CodedOutputStream.newInstance(head);
            o.writeUInt32NoTag(size);
            if (wantlist != null) {
                o.writeByteArray(1, wantlist);
            }
            for (int i = 0; i < blocks.size(); i++) {
                Block b = blocks.get(i);
                if (v100) {
                    o.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                } else {
                    int inner = CodedOutputStream.computeByteArraySize(1, prefixes[i])
                            + CodedOutputStream.computeByteArraySize(2, b.data());
                    o.writeTag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    o.writeUInt32NoTag(inner);
                    o.writeByteArray(1, prefixes[i]);
                    o.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                }
                o.writeUInt32NoTag(b.data().length);
                o.flush();
                parts.add(java.nio.ByteBuffer.wrap(head.toByteArray()));
                head.reset();
                parts.add(java.nio.ByteBuffer.wrap(b.data()));
            }
            if (v120) {
                for (int i = 0; i < presences.size(); i++) {
                    Presence p = presences.get(i);
                    o.writeTag(4, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    o.writeUInt32NoTag(presenceSizes[i]);
                    o.writeByteArray(1, p.cid().bytes());
                    if (!p.have()) {
                        o.writeEnum(2, 1);
                    }
                }
                if (pendingBytes != 0) {
                    o.writeInt32(5, pendingBytes);
                }
            }
            o.flush();
            if (head.size() > 0) {
                parts.add(java.nio.ByteBuffer.wrap(head.toByteArray()));
            }
            return parts;
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
    }

    private byte[] encodeWantlist(boolean v120) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + entries.size() * 48);
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        for (Entry e : entries) {
            ByteArrayOutputStream eb = new ByteArrayOutputStream(48);
            CodedOutputStream eo = CodedOutputStream.newInstance(eb);
            eo.writeByteArray(1, e.cid().bytes());
            if (e.priority() != 0) {
                eo.writeInt32(2, e.priority());
            }
            if (e.cancel()) {
                eo.writeBool(3, true);
            }
            if (v120 && e.wantHave()) {
                eo.writeEnum(4, 1);
            }
            if (v120 && e.sendDontHave()) {
                eo.writeBool(5, true);
            }
            eo.flush();
            out.writeByteArray(1, eb.toByteArray());
        }
        if (full) {
            out.writeBool(2, true);
        }
        out.flush();
        return bytes.toByteArray();
    }

    /** {@code uvarint(version) uvarint(codec) uvarint(hash code) uvarint(digest length)}. */
    static byte[] prefix(Cid cid) {
        long[] parts = {cid.version(), cid.codec(), cid.multihash().code(), cid.multihash().digestLength()};
        int size = 0;
        for (long p : parts) {
            size += Varint.encodedLength(p);
        }
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(size);
        for (long p : parts) {
            Varint.writeTo(p, buf);
        }
        return buf.array();
    }

    /**
     * Decodes a message. Its blocks' prefixes are checked here, and the blocks are hashed later
     * ({@link Incoming#verify()}). Block bytes are copied once, out of {@code message}.
     *
     * @param limits the most entries and blocks accepted; more is a flood and fails
     * @throws InvalidProtocolBufferException saying what is wrong: malformed protobuf, a bad CID, an
     *     unsupported hash function, more entries than allowed
     */
    static BitswapMessage decode(byte[] message, int maxEntries) throws InvalidProtocolBufferException {
        return decode(CodedInputStream.newInstance(message), maxEntries);
    }

    /**
     * Decodes a message from the parts it was read in ({@link
     * org.hyphae.transport.streamio.StreamReader#readLengthPrefixedParts}), as
     * {@link #decode(byte[], int)} does. Block bytes are copied once, out of the parts: the message
     * is never one array (a 2 MiB one is a humongous object for G1, allocated outside the young
     * generation and a cause of concurrent marking).
     */
    static BitswapMessage decode(List<ByteBuffer> parts, int maxEntries) throws InvalidProtocolBufferException {
        CodedInputStream in = CodedInputStream.newInstance(new ByteBuffersInputStream(parts));
        // No size limit of protobuf's is needed: the reader refused a message over Bitswap's limit
        // before reading it, and a field longer than what is left is truncated: protobuf reads it in
        // 4 KiB pieces up to the end rather than allocating the length it claims.
        return decode(in, maxEntries);
    }

    private static BitswapMessage decode(CodedInputStream in, int maxEntries) throws InvalidProtocolBufferException {
        List<Entry> entries = new ArrayList<>();
        boolean[] full = {false};
        List<Incoming> blocks = new ArrayList<>();
        List<Presence> presences = new ArrayList<>();
        int pending = 0;
        try {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (tag) {
                    case (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> decodeWantlist(in.readByteArray(), entries, full, maxEntries);
                    case (2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> blocks.add(
                            new Incoming(0, Multicodec.DAG_PB.code(), Multicodec.SHA2_256.code(), in.readByteArray()));
                    case (3 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
                        // Read in place (not copied out first): only the block's data is copied.
                        int limit = in.pushLimit(in.readRawVarint32());
                        blocks.add(decodeBlock(in));
                        in.popLimit(limit);
                    }
                    case (4 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> presences.add(decodePresence(in.readByteArray()));
                    case (5 << 3) | WireFormat.WIRETYPE_VARINT -> pending = in.readInt32();
                    default -> in.skipField(tag);
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidProtocolBufferException("malformed bitswap message: " + e.getMessage());
        }
        return new BitswapMessage(entries, full[0], List.of(), presences, pending, blocks);
    }

    private static void decodeWantlist(byte[] bytes, List<Entry> entries, boolean[] full, int maxEntries)
            throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == ((1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                if (entries.size() >= maxEntries) {
                    throw new WantlistTooLongException(maxEntries);
                }
                entries.add(decodeEntry(in.readByteArray()));
            } else if (tag == ((2 << 3) | WireFormat.WIRETYPE_VARINT)) {
                full[0] = in.readBool();
            } else {
                in.skipField(tag);
            }
        }
    }

    private static Entry decodeEntry(byte[] bytes) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        Cid cid = null;
        int priority = 1;
        boolean cancel = false;
        boolean have = false;
        boolean dontHave = false;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag) {
                case (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> cid = cid(in.readByteArray(), "want-list entry");
                case (2 << 3) | WireFormat.WIRETYPE_VARINT -> priority = in.readInt32();
                case (3 << 3) | WireFormat.WIRETYPE_VARINT -> cancel = in.readBool();
                case (4 << 3) | WireFormat.WIRETYPE_VARINT -> have = in.readEnum() == 1;
                case (5 << 3) | WireFormat.WIRETYPE_VARINT -> dontHave = in.readBool();
                default -> in.skipField(tag);
            }
        }
        if (cid == null) {
            throw new InvalidProtocolBufferException("want-list entry without a CID");
        }
        return new Entry(cid, priority, cancel, have, dontHave);
    }

    /** A {@code Block} message up to the input's current limit. */
    private static Incoming decodeBlock(CodedInputStream in) throws IOException {
        byte[] prefix = null;
        byte[] data = new byte[0];
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag) {
                case (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> prefix = in.readByteArray();
                case (2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> data = in.readByteArray();
                default -> in.skipField(tag);
            }
        }
        if (prefix == null) {
            throw new InvalidProtocolBufferException("block without a CID prefix");
        }
        return incoming(prefix, data);
    }

    /** {@code data} under {@code prefix}, if it makes a CID with a hash function we can compute. */
    static Incoming incoming(byte[] prefix, byte[] data) throws InvalidProtocolBufferException {
        int[] pos = {0};
        long version = varint(prefix, pos);
        long codec = varint(prefix, pos);
        long hash = varint(prefix, pos);
        long length = varint(prefix, pos);
        if (pos[0] != prefix.length) {
            throw new InvalidProtocolBufferException("block prefix has " + (prefix.length - pos[0]) + " trailing byte(s)");
        }
        if (hash == Multicodec.SHA2_256.code()) {
            if (length != 32) {
                throw new InvalidProtocolBufferException("block prefix: sha2-256 with a digest of " + length + " bytes");
            }
        } else if (hash != Multicodec.IDENTITY.code()) { // identity: the digest is the data, whatever the length says
            throw new InvalidProtocolBufferException("block prefix: hash function " + Multicodec.describe(hash) + " is not supported");
        }
        if (version == 0 && (codec != Multicodec.DAG_PB.code() || hash != Multicodec.SHA2_256.code())) {
            throw new InvalidProtocolBufferException("block prefix: CID version 0 with " + Multicodec.describe(codec) + " and "
                    + Multicodec.describe(hash) + " (only dag-pb with sha2-256)");
        }
        if (version != 0 && version != 1) {
            throw new InvalidProtocolBufferException("block prefix: CID version " + version);
        }
        return new Incoming((int) version, codec, hash, data);
    }

    private static long varint(byte[] b, int[] pos) throws InvalidProtocolBufferException {
        long value = 0;
        for (int shift = 0; shift < 63; shift += 7) {
            if (pos[0] >= b.length) {
                throw new InvalidProtocolBufferException("block prefix truncated");
            }
            int x = b[pos[0]++] & 0xFF;
            value |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return value;
            }
        }
        throw new InvalidProtocolBufferException("block prefix: varint too long");
    }

    private static Presence decodePresence(byte[] bytes) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        Cid cid = null;
        int type = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag) {
                case (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> cid = cid(in.readByteArray(), "block presence");
                case (2 << 3) | WireFormat.WIRETYPE_VARINT -> type = in.readEnum();
                default -> in.skipField(tag);
            }
        }
        if (cid == null) {
            throw new InvalidProtocolBufferException("block presence without a CID");
        }
        return new Presence(cid, type == 0);
    }

    private static Cid cid(byte[] bytes, String where) throws InvalidProtocolBufferException {
        try {
            return Cid.decode(bytes);
        } catch (IllegalArgumentException e) {
            throw new InvalidProtocolBufferException(where + ": not a CID: " + e.getMessage());
        }
    }

    /** A want list over the limit: a flood. */
    static final class WantlistTooLongException extends InvalidProtocolBufferException {
        private static final long serialVersionUID = 1L;

        WantlistTooLongException(int max) {
            super("want list of more than " + max + " entries in one message");
        }
    }
}
