package org.hyphae.pubsub.gossipsub.internal;

import java.util.Arrays;
import java.util.HexFormat;

/** A message id as gossip carries it (IHAVE, IWANT): opaque bytes, compared by value. */
public final class MessageId {

    private final byte[] bytes;
    private final int hash;

    private MessageId(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** Wraps bytes the caller will not change afterwards. */
    public static MessageId wrap(byte[] bytes) {
        return new MessageId(bytes);
    }

    /** The default id of libp2p pubsub: the author's peer id bytes, then the sequence number. */
    public static MessageId fromAndSeqno(byte[] from, byte[] seqno) {
        byte[] out = Arrays.copyOf(from, from.length + seqno.length);
        System.arraycopy(seqno, 0, out, from.length, seqno.length);
        return new MessageId(out);
    }

    /** The bytes, not copied: do not change them. */
    public byte[] bytes() {
        return bytes;
    }

    public int length() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageId m && hash == m.hash && Arrays.equals(bytes, m.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        String hex = HexFormat.of().formatHex(bytes);
        return hex.length() > 24 ? "…" + hex.substring(hex.length() - 24) : hex;
    }
}
