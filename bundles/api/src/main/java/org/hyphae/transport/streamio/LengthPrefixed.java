package org.hyphae.transport.streamio;

import java.nio.ByteBuffer;
import java.util.List;

import org.hyphae.multiformats.Varint;

/** Frames messages as {@code uvarint(length) bytes}, libp2p's length-prefixed encoding. */
public final class LengthPrefixed {

    private LengthPrefixed() {
    }

    /**
     * Frames one message.
     *
     * @param message the message body
     * @return a buffer with the length prefix and the body, ready to write
     */
    public static ByteBuffer frame(byte[] message) {
        return frame(List.of(message));
    }

    /**
     * Frames several messages into one buffer, for a single write.
     *
     * @param messages the message bodies
     * @return the framed messages one after the other
     */
    public static ByteBuffer frame(List<byte[]> messages) {
        int size = 0;
        for (byte[] m : messages) {
            size += Varint.encodedLength(m.length) + m.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        for (byte[] m : messages) {
            Varint.writeTo(m.length, out);
            out.put(m);
        }
        return out.flip();
    }
}
