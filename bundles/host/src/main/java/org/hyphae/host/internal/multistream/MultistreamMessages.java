package org.hyphae.host.internal.multistream;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

/**
 * The wire format of multistream-select 1.0: each message is {@code varint(length) utf8 '\n'}, the
 * length counting the newline.
 *
 * <p>Limits follow the implementations: go-multistream and js-multistream-select refuse messages
 * over 1024 bytes, so a length prefix is at most two varint bytes.
 */
public final class MultistreamMessages {

    /** The protocol id of multistream-select 1.0, sent first by both sides. */
    public static final String PROTOCOL_ID = "/multistream/1.0.0";
    /** The responder's answer to a protocol it does not support. */
    public static final String NA = "na";
    /** The list request; answered with {@code na} here ({@code ls} is optional). */
    public static final String LS = "ls";
    /** Longest message accepted, newline included. */
    public static final int MAX_MESSAGE_LENGTH = 1024;
    /** A length up to {@link #MAX_MESSAGE_LENGTH} needs at most two varint bytes. */
    static final int MAX_LENGTH_BYTES = 2;

    private MultistreamMessages() {
    }

    /** Encodes messages back to back into one buffer (one write, one packet). */
    public static ByteBuf encode(ByteBufAllocator alloc, List<String> messages) {
        ByteBuf out = alloc.buffer(64 * messages.size());
        for (String m : messages) {
            encodeInto(m, out);
        }
        return out;
    }

    /** Appends one message. */
    public static void encodeInto(String message, ByteBuf out) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        int length = text.length + 1;
        if (length > MAX_MESSAGE_LENGTH) {
            throw new IllegalArgumentException("multistream message of " + length + " bytes exceeds "
                    + MAX_MESSAGE_LENGTH + ": " + message);
        }
        while (length >= 0x80) {
            out.writeByte((length & 0x7F) | 0x80);
            length >>>= 7;
        }
        out.writeByte(length);
        out.writeBytes(text);
        out.writeByte('\n');
    }

    /**
     * Reads one whole message from {@code in}, advancing its reader index past it.
     *
     * @return the message without its newline, or null (nothing consumed) if it has not fully
     *     arrived
     * @throws MultistreamException if the bytes cannot be a multistream message
     */
    public static String read(ByteBuf in) throws MultistreamException {
        int pos = in.readerIndex();
        int end = in.writerIndex();
        int length = 0;
        int shift = 0;
        for (int n = 0;; n++) {
            if (pos >= end) {
                return null;
            }
            if (n == MAX_LENGTH_BYTES) {
                throw new MultistreamException("message length prefix is longer than " + MAX_LENGTH_BYTES
                        + " varint bytes (messages are at most " + MAX_MESSAGE_LENGTH + " bytes); starts with "
                        + ByteBufUtil.hexDump(in, in.readerIndex(), Math.min(16, end - in.readerIndex())));
            }
            int b = in.getUnsignedByte(pos++);
            length |= (b & 0x7F) << shift;
            shift += 7;
            if ((b & 0x80) == 0) {
                if (b == 0 && n > 0) {
                    throw new MultistreamException("message length prefix is not a minimal varint");
                }
                break;
            }
        }
        if (length == 0) {
            throw new MultistreamException("empty message (length 0, not even a newline)");
        }
        if (length > MAX_MESSAGE_LENGTH) {
            throw new MultistreamException("message of " + length + " bytes exceeds the limit of "
                    + MAX_MESSAGE_LENGTH);
        }
        if (end - pos < length) {
            return null;
        }
        if (in.getByte(pos + length - 1) != '\n') {
            throw new MultistreamException("message of " + length + " bytes does not end with a newline: "
                    + ByteBufUtil.hexDump(in, pos, Math.min(length, 64)));
        }
        if (!ByteBufUtil.isText(in, pos, length - 1, StandardCharsets.UTF_8)) {
            throw new MultistreamException("message is not UTF-8: " + ByteBufUtil.hexDump(in, pos, Math.min(length, 64)));
        }
        String message = in.toString(pos, length - 1, StandardCharsets.UTF_8);
        in.readerIndex(pos + length);
        return message;
    }
}
