package com.example.hyphae.chat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The text of one chat message, as sent over {@value DirectChat#PROTOCOL} and in room topics:
 * 1 to {@value #MAX_BYTES} bytes of well-formed UTF-8 without control characters other than tab.
 */
final class ChatText {

    /** Longest message in bytes; longer ones are refused on both sides. */
    static final int MAX_BYTES = 2048;

    private ChatText() {}

    /** Encodes text typed by the user, or says why it cannot be sent. */
    static byte[] encode(String text) {
        check(text);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_BYTES) {
            throw new IllegalArgumentException("message is " + bytes.length + " bytes; at most " + MAX_BYTES);
        }
        return bytes;
    }

    /**
     * Decodes received bytes.
     *
     * @throws IllegalArgumentException naming what is wrong (empty, too long, not UTF-8, control characters)
     */
    static String decode(byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            throw new IllegalArgumentException("message is " + bytes.length + " bytes; at most " + MAX_BYTES);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("message is not well-formed UTF-8 (" + e.getMessage() + ")");
        }
        check(text);
        return text;
    }

    private static void check(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("message is empty");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) && c != '\t') {
                throw new IllegalArgumentException(String.format("message has control character U+%04X at %d", (int) c, i));
            }
        }
    }
}
