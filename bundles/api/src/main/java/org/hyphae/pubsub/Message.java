package org.hyphae.pubsub;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

import org.hyphae.identity.PeerId;

/**
 * A pubsub message as subscribers and validators see it: the payload, its topic, who wrote it and
 * who handed it to this node. Immutable; byte arrays are copied in and out.
 *
 * <p>When the message is {@linkplain #signed() signed}, the implementation has checked the
 * signature against {@link #from()}'s key before anyone sees the message, so {@code from} is the
 * authenticated author. Unsigned messages (a "no sign" policy) may carry neither author nor
 * sequence number.
 */
public final class Message {

    private final byte[] id;
    private final Optional<PeerId> from;
    private final byte[] data;
    private final byte[] seqno;
    private final String topic;
    private final boolean signed;
    private final PeerId receivedFrom;

    /**
     * Creates a message.
     *
     * @param id the message id the router uses for de-duplication and gossip (for signed messages
     *     the author's {@code PublicKey} protobuf followed by the sequence number, as js-libp2p
     *     computes it; for unsigned ones the SHA-256 of the payload)
     * @param from the author, if the message names one
     * @param data the payload
     * @param seqno the author's sequence number (8 bytes big-endian in practice), empty if absent
     * @param topic the topic
     * @param signed whether the message carried a signature that was verified
     * @param receivedFrom the peer that handed the message to this node; this node's own id for
     *     messages it published
     */
    public Message(byte[] id, Optional<PeerId> from, byte[] data, byte[] seqno, String topic, boolean signed,
            PeerId receivedFrom) {
        this.id = id.clone();
        this.from = Objects.requireNonNull(from, "from");
        this.data = data.clone();
        this.seqno = seqno.clone();
        this.topic = Objects.requireNonNull(topic, "topic");
        this.signed = signed;
        this.receivedFrom = Objects.requireNonNull(receivedFrom, "receivedFrom");
    }

    /**
     * The message id.
     *
     * @return a copy of the id bytes
     */
    public byte[] id() {
        return id.clone();
    }

    /**
     * The message id for logs.
     *
     * @return the id in lower-case hex
     */
    public String idHex() {
        return HexFormat.of().formatHex(id);
    }

    /**
     * The author.
     *
     * @return the author's peer id, empty if the message names none
     */
    public Optional<PeerId> from() {
        return from;
    }

    /**
     * The payload.
     *
     * @return a copy of the payload
     */
    public byte[] data() {
        return data.clone();
    }

    /**
     * The payload length, without copying it.
     *
     * @return the payload size in bytes
     */
    public int size() {
        return data.length;
    }

    /**
     * The payload decoded as UTF-8 (malformed bytes are replaced), for text topics and shells.
     *
     * @return the payload as text
     */
    public String dataAsString() {
        return new String(data, StandardCharsets.UTF_8);
    }

    /**
     * The author's sequence number.
     *
     * @return a copy of the sequence number bytes, empty if absent
     */
    public byte[] seqno() {
        return seqno.clone();
    }

    /**
     * The topic.
     *
     * @return the topic the message was published on
     */
    public String topic() {
        return topic;
    }

    /**
     * Whether the message was signed and the signature verified.
     *
     * @return true for a verified signature
     */
    public boolean signed() {
        return signed;
    }

    /**
     * The peer that handed the message to this node (not necessarily the author).
     *
     * @return that peer; this node's id for its own messages
     */
    public PeerId receivedFrom() {
        return receivedFrom;
    }

    /**
     * Compares ids, topics and payloads.
     *
     * @param o another object
     * @return whether {@code o} is the same message
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Message m && Arrays.equals(id, m.id) && topic.equals(m.topic)
                && Arrays.equals(data, m.data);
    }

    /**
     * Returns a hash code consistent with {@link #equals(Object)}.
     *
     * @return the hash of the id
     */
    @Override
    public int hashCode() {
        return Arrays.hashCode(id);
    }

    /**
     * Describes the message without its payload.
     *
     * @return topic, id, size, author and sender
     */
    @Override
    public String toString() {
        return "Message[topic=" + topic + ", id=" + idHex() + ", " + data.length + " bytes, from="
                + from.map(PeerId::toString).orElse("-") + ", receivedFrom=" + receivedFrom
                + (signed ? ", signed" : "") + "]";
    }
}
