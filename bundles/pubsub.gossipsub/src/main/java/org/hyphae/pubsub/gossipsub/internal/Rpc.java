package org.hyphae.pubsub.gossipsub.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;

/**
 * The pubsub {@code RPC} protobuf (libp2p/specs pubsub/README.md, gossipsub-v1.0.md and v1.1.md;
 * field numbers as in go-libp2p-pubsub's pb/rpc.proto), encoded and decoded with protobuf-java's
 * {@link CodedInputStream}/{@link CodedOutputStream}. Hand-written rather than generated because the
 * schema is small, the decoder must enforce per-field limits while it parses (a peer must not make
 * us build a list of a million message ids), and signatures need the exact re-marshalling of
 * fields 1-4 that the other implementations sign.
 *
 * <p>Unknown fields (IDONTWANT of v1.2, extensions) are skipped. Absent optional fields are
 * {@code null} (bytes, strings) or -1 (backoff).
 */
public record Rpc(List<SubOpts> subscriptions, List<WireMessage> publish, Control control) {

    /** The empty RPC. */
    public static final Rpc EMPTY = new Rpc(List.of(), List.of(), null);

    public Rpc {
        subscriptions = List.copyOf(subscriptions);
        publish = List.copyOf(publish);
    }

    public static Rpc ofMessages(List<WireMessage> messages) {
        return new Rpc(List.of(), messages, null);
    }

    public static Rpc ofControl(Control control) {
        return new Rpc(List.of(), List.of(), control);
    }

    public boolean isEmpty() {
        return subscriptions.isEmpty() && publish.isEmpty() && (control == null || control.isEmpty());
    }

    /** {@code SubOpts}: subscribe (true) or unsubscribe (false) a topic. */
    public record SubOpts(boolean subscribe, String topic) {
    }

    /** {@code Message}; byte fields are not copied: treat them as immutable. */
    public record WireMessage(byte[] from, byte[] data, byte[] seqno, String topic, byte[] signature, byte[] key) {

        /** The marshalled message without signature and key, which the author signs (after the prefix). */
        public byte[] unsignedBytes() {
            return new WireMessage(from, data, seqno, topic, null, null).encode();
        }

        public int dataLength() {
            return data == null ? 0 : data.length;
        }

        int serializedSize() {
            int size = 0;
            if (from != null) {
                size += CodedOutputStream.computeByteArraySize(1, from);
            }
            if (data != null) {
                size += CodedOutputStream.computeByteArraySize(2, data);
            }
            if (seqno != null) {
                size += CodedOutputStream.computeByteArraySize(3, seqno);
            }
            if (topic != null) {
                size += CodedOutputStream.computeStringSize(4, topic);
            }
            if (signature != null) {
                size += CodedOutputStream.computeByteArraySize(5, signature);
            }
            if (key != null) {
                size += CodedOutputStream.computeByteArraySize(6, key);
            }
            return size;
        }

        void writeTo(CodedOutputStream out) throws IOException {
            if (from != null) {
                out.writeByteArray(1, from);
            }
            if (data != null) {
                out.writeByteArray(2, data);
            }
            if (seqno != null) {
                out.writeByteArray(3, seqno);
            }
            if (topic != null) {
                out.writeString(4, topic);
            }
            if (signature != null) {
                out.writeByteArray(5, signature);
            }
            if (key != null) {
                out.writeByteArray(6, key);
            }
        }

        public byte[] encode() {
            byte[] out = new byte[serializedSize()];
            CodedOutputStream cos = CodedOutputStream.newInstance(out);
            try {
                writeTo(cos);
                cos.checkNoSpaceLeft();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return out;
        }

        static WireMessage decode(byte[] bytes) throws IOException {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            byte[] from = null;
            byte[] data = null;
            byte[] seqno = null;
            String topic = null;
            byte[] signature = null;
            byte[] key = null;
            int tag;
            while ((tag = in.readTag()) != 0) {
                switch (tag) {
                    case (1 << 3) | 2 -> from = in.readByteArray();
                    case (2 << 3) | 2 -> data = in.readByteArray();
                    case (3 << 3) | 2 -> seqno = in.readByteArray();
                    case (4 << 3) | 2 -> topic = in.readStringRequireUtf8();
                    case (5 << 3) | 2 -> signature = in.readByteArray();
                    case (6 << 3) | 2 -> key = in.readByteArray();
                    default -> skip(in, tag);
                }
            }
            return new WireMessage(from, data, seqno, topic, signature, key);
        }
    }

    /**
     * {@code ControlMessage}; {@code idontwant} (field 5, gossipsub v1.2) has the shape of an IWANT:
     * {@code ControlIDontWant { repeated bytes messageIDs = 1; }}.
     */
    public record Control(List<IHave> ihave, List<IWant> iwant, List<Graft> graft, List<Prune> prune,
            List<IWant> idontwant) {

        public Control {
            ihave = List.copyOf(ihave);
            iwant = List.copyOf(iwant);
            graft = List.copyOf(graft);
            prune = List.copyOf(prune);
            idontwant = List.copyOf(idontwant);
        }

        /** Without IDONTWANT (v1.1). */
        public Control(List<IHave> ihave, List<IWant> iwant, List<Graft> graft, List<Prune> prune) {
            this(ihave, iwant, graft, prune, List.of());
        }

        public boolean isEmpty() {
            return ihave.isEmpty() && iwant.isEmpty() && graft.isEmpty() && prune.isEmpty() && idontwant.isEmpty();
        }

        int serializedSize() {
            int size = 0;
            for (IHave h : ihave) {
                size += nested(1, h.serializedSize());
            }
            for (IWant w : iwant) {
                size += nested(2, w.serializedSize());
            }
            for (Graft g : graft) {
                size += nested(3, g.serializedSize());
            }
            for (Prune p : prune) {
                size += nested(4, p.serializedSize());
            }
            for (IWant d : idontwant) {
                size += nested(5, d.serializedSize());
            }
            return size;
        }

        void writeTo(CodedOutputStream out) throws IOException {
            for (IHave h : ihave) {
                out.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(h.serializedSize());
                h.writeTo(out);
            }
            for (IWant w : iwant) {
                out.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(w.serializedSize());
                w.writeTo(out);
            }
            for (Graft g : graft) {
                out.writeTag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(g.serializedSize());
                g.writeTo(out);
            }
            for (Prune p : prune) {
                out.writeTag(4, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(p.serializedSize());
                p.writeTo(out);
            }
            for (IWant d : idontwant) {
                out.writeTag(5, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(d.serializedSize());
                d.writeTo(out);
            }
        }
    }

    /** {@code ControlIHave}. */
    public record IHave(String topic, List<MessageId> messageIds) {
        public IHave {
            messageIds = List.copyOf(messageIds);
        }

        int serializedSize() {
            int size = topic == null ? 0 : CodedOutputStream.computeStringSize(1, topic);
            for (MessageId id : messageIds) {
                size += CodedOutputStream.computeByteArraySize(2, id.bytes());
            }
            return size;
        }

        void writeTo(CodedOutputStream out) throws IOException {
            if (topic != null) {
                out.writeString(1, topic);
            }
            for (MessageId id : messageIds) {
                out.writeByteArray(2, id.bytes());
            }
        }
    }

    /** {@code ControlIWant}. */
    public record IWant(List<MessageId> messageIds) {
        public IWant {
            messageIds = List.copyOf(messageIds);
        }

        int serializedSize() {
            int size = 0;
            for (MessageId id : messageIds) {
                size += CodedOutputStream.computeByteArraySize(1, id.bytes());
            }
            return size;
        }

        void writeTo(CodedOutputStream out) throws IOException {
            for (MessageId id : messageIds) {
                out.writeByteArray(1, id.bytes());
            }
        }
    }

    /** {@code ControlGraft}. */
    public record Graft(String topic) {
        int serializedSize() {
            return topic == null ? 0 : CodedOutputStream.computeStringSize(1, topic);
        }

        void writeTo(CodedOutputStream out) throws IOException {
            if (topic != null) {
                out.writeString(1, topic);
            }
        }
    }

    /** {@code ControlPrune} with v1.1 peer exchange and backoff (seconds, -1 if absent). */
    public record Prune(String topic, List<PxPeer> peers, long backoffSeconds) {
        public Prune {
            peers = List.copyOf(peers);
        }

        int serializedSize() {
            int size = topic == null ? 0 : CodedOutputStream.computeStringSize(1, topic);
            for (PxPeer p : peers) {
                size += nested(2, p.serializedSize());
            }
            if (backoffSeconds >= 0) {
                size += CodedOutputStream.computeUInt64Size(3, backoffSeconds);
            }
            return size;
        }

        void writeTo(CodedOutputStream out) throws IOException {
            if (topic != null) {
                out.writeString(1, topic);
            }
            for (PxPeer p : peers) {
                out.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(p.serializedSize());
                p.writeTo(out);
            }
            if (backoffSeconds >= 0) {
                out.writeUInt64(3, backoffSeconds);
            }
        }
    }

    /** {@code PeerInfo} of peer exchange: a peer id and, optionally, its signed peer record. */
    public record PxPeer(byte[] peerId, byte[] signedPeerRecord) {
        int serializedSize() {
            int size = peerId == null ? 0 : CodedOutputStream.computeByteArraySize(1, peerId);
            if (signedPeerRecord != null) {
                size += CodedOutputStream.computeByteArraySize(2, signedPeerRecord);
            }
            return size;
        }

        void writeTo(CodedOutputStream out) throws IOException {
            if (peerId != null) {
                out.writeByteArray(1, peerId);
            }
            if (signedPeerRecord != null) {
                out.writeByteArray(2, signedPeerRecord);
            }
        }
    }

    /** Limits the decoder enforces while parsing one RPC. */
    public record Limits(int maxSubscriptions, int maxMessages, int maxIHaveIds, int maxIWantIds, int maxControlEntries,
            int maxPxPeers) {
        public static final Limits DEFAULT = new Limits(1000, 1000, 5000, 5000, 1000, 64);
    }

    // ---------------------------------------------------------------------------------- encoding

    public int serializedSize() {
        int size = 0;
        for (SubOpts s : subscriptions) {
            size += nested(1, subOptsSize(s));
        }
        for (WireMessage m : publish) {
            size += nested(2, m.serializedSize());
        }
        if (control != null && !control.isEmpty()) {
            size += nested(3, control.serializedSize());
        }
        return size;
    }

    public byte[] encode() {
        byte[] out = new byte[serializedSize()];
        CodedOutputStream cos = CodedOutputStream.newInstance(out);
        try {
            for (SubOpts s : subscriptions) {
                cos.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                cos.writeUInt32NoTag(subOptsSize(s));
                cos.writeBool(1, s.subscribe());
                cos.writeString(2, s.topic());
            }
            for (WireMessage m : publish) {
                cos.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                cos.writeUInt32NoTag(m.serializedSize());
                m.writeTo(cos);
            }
            if (control != null && !control.isEmpty()) {
                cos.writeTag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                cos.writeUInt32NoTag(control.serializedSize());
                control.writeTo(cos);
            }
            cos.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static int subOptsSize(SubOpts s) {
        return CodedOutputStream.computeBoolSize(1, s.subscribe()) + CodedOutputStream.computeStringSize(2, s.topic());
    }

    private static int nested(int field, int size) {
        return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    }

    // ---------------------------------------------------------------------------------- decoding

    /**
     * Decodes one RPC.
     *
     * @throws InvalidProtocolBufferException if the bytes are not a well-formed RPC or break a limit;
     *     the message says which
     */
    public static Rpc decode(byte[] bytes, Limits limits) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        List<SubOpts> subs = new ArrayList<>();
        List<WireMessage> msgs = new ArrayList<>();
        Control control = null;
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (tag) {
                case (1 << 3) | 2 -> {
                    check(subs.size() < limits.maxSubscriptions(), "more than " + limits.maxSubscriptions() + " subscriptions");
                    SubOpts s = decodeSubOpts(in.readByteArray());
                    if (s != null) {
                        subs.add(s);
                    }
                }
                case (2 << 3) | 2 -> {
                    check(msgs.size() < limits.maxMessages(), "more than " + limits.maxMessages() + " messages");
                    msgs.add(WireMessage.decode(in.readByteArray()));
                }
                case (3 << 3) | 2 -> {
                    Control c = decodeControl(in.readByteArray(), limits);
                    control = control == null ? c : merge(control, c);
                }
                default -> skip(in, tag);
            }
        }
        return new Rpc(subs, msgs, control);
    }

    private static SubOpts decodeSubOpts(byte[] bytes) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        boolean subscribe = false;
        String topic = null;
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (tag) {
                case (1 << 3) -> subscribe = in.readBool();
                case (2 << 3) | 2 -> topic = in.readStringRequireUtf8();
                default -> skip(in, tag);
            }
        }
        return topic == null ? null : new SubOpts(subscribe, topic);
    }

    private static Control decodeControl(byte[] bytes, Limits limits) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        List<IHave> ihave = new ArrayList<>();
        List<IWant> iwant = new ArrayList<>();
        List<Graft> graft = new ArrayList<>();
        List<Prune> prune = new ArrayList<>();
        List<IWant> idontwant = new ArrayList<>();
        int ihaveIds = 0;
        int iwantIds = 0;
        int idontwantIds = 0;
        int tag;
        while ((tag = in.readTag()) != 0) {
            int entries = ihave.size() + iwant.size() + graft.size() + prune.size() + idontwant.size();
            check(entries < limits.maxControlEntries(), "more than " + limits.maxControlEntries() + " control entries");
            switch (tag) {
                case (1 << 3) | 2 -> {
                    IHave h = decodeIHave(in.readByteArray(), limits.maxIHaveIds() - ihaveIds);
                    ihaveIds += h.messageIds().size();
                    ihave.add(h);
                }
                case (2 << 3) | 2 -> {
                    IWant w = decodeIWant(in.readByteArray(), limits.maxIWantIds() - iwantIds);
                    iwantIds += w.messageIds().size();
                    iwant.add(w);
                }
                case (3 << 3) | 2 -> graft.add(new Graft(decodeTopicOnly(in.readByteArray())));
                case (4 << 3) | 2 -> prune.add(decodePrune(in.readByteArray(), limits));
                case (5 << 3) | 2 -> {
                    IWant d = decodeIWant(in.readByteArray(), limits.maxIWantIds() - idontwantIds);
                    idontwantIds += d.messageIds().size();
                    idontwant.add(d);
                }
                default -> skip(in, tag);
            }
        }
        return new Control(ihave, iwant, graft, prune, idontwant);
    }

    private static IHave decodeIHave(byte[] bytes, int maxIds) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        String topic = null;
        List<MessageId> ids = new ArrayList<>();
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (tag) {
                case (1 << 3) | 2 -> topic = in.readStringRequireUtf8();
                case (2 << 3) | 2 -> {
                    check(ids.size() < maxIds, "IHAVE advertises too many message ids");
                    ids.add(MessageId.wrap(in.readByteArray()));
                }
                default -> skip(in, tag);
            }
        }
        return new IHave(topic, ids);
    }

    private static IWant decodeIWant(byte[] bytes, int maxIds) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        List<MessageId> ids = new ArrayList<>();
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (tag == ((1 << 3) | 2)) {
                check(ids.size() < maxIds, "IWANT asks for too many message ids");
                ids.add(MessageId.wrap(in.readByteArray()));
            } else {
                skip(in, tag);
            }
        }
        return new IWant(ids);
    }

    private static String decodeTopicOnly(byte[] bytes) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        String topic = null;
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (tag == ((1 << 3) | 2)) {
                topic = in.readStringRequireUtf8();
            } else {
                skip(in, tag);
            }
        }
        return topic;
    }

    private static Prune decodePrune(byte[] bytes, Limits limits) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        String topic = null;
        List<PxPeer> peers = new ArrayList<>();
        long backoff = -1;
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (tag) {
                case (1 << 3) | 2 -> topic = in.readStringRequireUtf8();
                case (2 << 3) | 2 -> {
                    byte[] info = in.readByteArray();
                    if (peers.size() < limits.maxPxPeers()) { // more are legal, just not useful
                        peers.add(decodePxPeer(info));
                    }
                }
                case (3 << 3) -> {
                    backoff = in.readUInt64();
                    if (backoff < 0) { // above 2^63 seconds
                        backoff = Long.MAX_VALUE;
                    }
                }
                default -> skip(in, tag);
            }
        }
        return new Prune(topic, peers, backoff);
    }

    private static PxPeer decodePxPeer(byte[] bytes) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        byte[] id = null;
        byte[] record = null;
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (tag) {
                case (1 << 3) | 2 -> id = in.readByteArray();
                case (2 << 3) | 2 -> record = in.readByteArray();
                default -> skip(in, tag);
            }
        }
        return new PxPeer(id, record);
    }

    private static Control merge(Control a, Control b) {
        List<IHave> ihave = new ArrayList<>(a.ihave());
        ihave.addAll(b.ihave());
        List<IWant> iwant = new ArrayList<>(a.iwant());
        iwant.addAll(b.iwant());
        List<Graft> graft = new ArrayList<>(a.graft());
        graft.addAll(b.graft());
        List<Prune> prune = new ArrayList<>(a.prune());
        prune.addAll(b.prune());
        List<IWant> idontwant = new ArrayList<>(a.idontwant());
        idontwant.addAll(b.idontwant());
        return new Control(ihave, iwant, graft, prune, idontwant);
    }

    private static void skip(CodedInputStream in, int tag) throws IOException {
        if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_START_GROUP
                || WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_END_GROUP || !in.skipField(tag)) {
            throw new InvalidProtocolBufferException("unexpected group or end-group tag " + tag);
        }
    }

    private static void check(boolean ok, String what) throws InvalidProtocolBufferException {
        if (!ok) {
            throw new InvalidProtocolBufferException("RPC over the limit: " + what);
        }
    }
}
