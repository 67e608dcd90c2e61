package org.hyphae.multiformats;

import java.util.Arrays;
import java.util.Objects;

/**
 * The <a href="https://github.com/multiformats/multibase">multibase</a> encodings this library
 * supports. A multibase string is a one-character prefix naming the encoding followed by the
 * encoded bytes.
 *
 * <p>Encoders produce the canonical form (no padding, the case the encoding names). Decoders follow
 * the multibase spec: base16, base32 and base36 are decoded case-insensitively; base32 and base64
 * input must not be padded and must have zero trailing bits (so each byte string has exactly one
 * accepted text); base36 and base58btc keep leading zero bytes as leading {@code '0'} / {@code '1'}
 * characters, exactly as bitcoin's base58 does.
 */
public enum Multibase {
    /** Lowercase hexadecimal, prefix {@code 'f'}. */
    BASE16('f', "base16"),
    /** Uppercase hexadecimal, prefix {@code 'F'}. */
    BASE16UPPER('F', "base16upper"),
    /** RFC 4648 base32, lowercase, no padding, prefix {@code 'b'}; the default for CIDv1. */
    BASE32('b', "base32"),
    /** RFC 4648 base32, uppercase, no padding, prefix {@code 'B'}. */
    BASE32UPPER('B', "base32upper"),
    /** Base36 {@code [0-9a-z]}, lowercase, prefix {@code 'k'}. */
    BASE36('k', "base36"),
    /** Base36 {@code [0-9A-Z]}, uppercase, prefix {@code 'K'}. */
    BASE36UPPER('K', "base36upper"),
    /** Bitcoin's base58, prefix {@code 'z'}. */
    BASE58BTC('z', "base58btc"),
    /** RFC 4648 base64, standard alphabet, no padding, prefix {@code 'm'}. */
    BASE64('m', "base64"),
    /** RFC 4648 base64, URL-safe alphabet, no padding, prefix {@code 'u'}. */
    BASE64URL('u', "base64url");

    private static final String HEX_LOWER = "0123456789abcdef";
    private static final String B32_LOWER = "abcdefghijklmnopqrstuvwxyz234567";
    private static final String B36_LOWER = "0123456789abcdefghijklmnopqrstuvwxyz";
    private static final String B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private static final String B64 =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private static final String B64URL =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private final char prefix;
    private final String encodingName;

    Multibase(char prefix, String encodingName) {
        this.prefix = prefix;
        this.encodingName = encodingName;
    }

    /**
     * Returns the prefix character.
     *
     * @return the character that starts strings in this encoding
     */
    public char prefix() {
        return prefix;
    }

    /**
     * Returns the encoding's name in the multibase table, such as {@code "base58btc"}.
     *
     * @return the name
     */
    public String encodingName() {
        return encodingName;
    }

    /**
     * Returns the encoding a prefix character names.
     *
     * @param prefix a multibase prefix character
     * @return the encoding
     * @throws IllegalArgumentException if the prefix is unknown or its encoding is not supported
     */
    public static Multibase forPrefix(char prefix) {
        for (Multibase b : values()) {
            if (b.prefix == prefix) {
                return b;
            }
        }
        throw new IllegalArgumentException(
                "unsupported multibase prefix '" + prefix + "' (U+" + String.format("%04X", (int) prefix) + ")");
    }

    /**
     * Encodes bytes with the prefix.
     *
     * @param data the bytes to encode
     * @return the prefix followed by the encoded bytes
     */
    public String encode(byte[] data) {
        return prefix + encodeRaw(data);
    }

    /**
     * Encodes bytes without the prefix.
     *
     * @param data the bytes to encode
     * @return the encoded bytes alone
     */
    public String encodeRaw(byte[] data) {
        Objects.requireNonNull(data, "data");
        switch (this) {
            case BASE16:
                return rfc4648Encode(data, HEX_LOWER, 4);
            case BASE16UPPER:
                return rfc4648Encode(data, HEX_LOWER, 4).toUpperCase(java.util.Locale.ROOT);
            case BASE32:
                return rfc4648Encode(data, B32_LOWER, 5);
            case BASE32UPPER:
                return rfc4648Encode(data, B32_LOWER, 5).toUpperCase(java.util.Locale.ROOT);
            case BASE36:
                return baseXEncode(data, B36_LOWER);
            case BASE36UPPER:
                return baseXEncode(data, B36_LOWER).toUpperCase(java.util.Locale.ROOT);
            case BASE58BTC:
                return baseXEncode(data, B58);
            case BASE64:
                return rfc4648Encode(data, B64, 6);
            case BASE64URL:
                return rfc4648Encode(data, B64URL, 6);
            default:
                throw new AssertionError(this);
        }
    }

    /**
     * Decodes a multibase string, choosing the encoding by its first character.
     *
     * @param text a multibase string
     * @return the decoded bytes
     * @throws IllegalArgumentException if the string is empty, its prefix is unsupported or the rest
     *     is not valid in that encoding; the message names the bad character and its position in
     *     {@code text}
     */
    public static byte[] decode(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty multibase string");
        }
        return forPrefix(text.charAt(0)).decodeFrom(text, 1);
    }

    /**
     * Decodes a string in this encoding that has no prefix.
     *
     * @param text the encoded bytes without a prefix
     * @return the decoded bytes
     * @throws IllegalArgumentException if the text is not valid in this encoding; the message names
     *     the bad character and its position
     */
    public byte[] decodeRaw(String text) {
        Objects.requireNonNull(text, "text");
        return decodeFrom(text, 0);
    }

    private byte[] decodeFrom(String text, int start) {
        switch (this) {
            case BASE16:
            case BASE16UPPER:
                return rfc4648Decode(text, start, HEX_LOWER, 4, true);
            case BASE32:
            case BASE32UPPER:
                return rfc4648Decode(text, start, B32_LOWER, 5, true);
            case BASE36:
            case BASE36UPPER:
                return baseXDecode(text, start, B36_LOWER, true);
            case BASE58BTC:
                return baseXDecode(text, start, B58, false);
            case BASE64:
                return rfc4648Decode(text, start, B64, 6, false);
            case BASE64URL:
                return rfc4648Decode(text, start, B64URL, 6, false);
            default:
                throw new AssertionError(this);
        }
    }

    private static String rfc4648Encode(byte[] data, String alphabet, int bitsPerChar) {
        int mask = (1 << bitsPerChar) - 1;
        StringBuilder out = new StringBuilder((data.length * 8 + bitsPerChar - 1) / bitsPerChar);
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xFF);
            bits += 8;
            while (bits >= bitsPerChar) {
                bits -= bitsPerChar;
                out.append(alphabet.charAt((buffer >>> bits) & mask));
            }
            buffer &= (1 << bits) - 1;
        }
        if (bits > 0) {
            out.append(alphabet.charAt((buffer << (bitsPerChar - bits)) & mask));
        }
        return out.toString();
    }

    private byte[] rfc4648Decode(
            String text, int start, String alphabet, int bitsPerChar, boolean caseInsensitive) {
        int chars = text.length() - start;
        byte[] out = new byte[chars * bitsPerChar / 8];
        int buffer = 0;
        int bits = 0;
        int written = 0;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            int v = digitValue(alphabet, c, caseInsensitive);
            if (v < 0) {
                throw badCharacter(text, i);
            }
            buffer = (buffer << bitsPerChar) | v;
            bits += bitsPerChar;
            if (bits >= 8) {
                bits -= 8;
                out[written++] = (byte) (buffer >>> bits);
                buffer &= (1 << bits) - 1;
            }
        }
        if (bits >= bitsPerChar) {
            throw new IllegalArgumentException(
                    "invalid " + encodingName + " length: " + chars + " characters cannot encode whole bytes");
        }
        if (buffer != 0) {
            throw new IllegalArgumentException(
                    "invalid " + encodingName + " text: non-zero trailing bits in the last character at position "
                            + (text.length() - 1));
        }
        return written == out.length ? out : Arrays.copyOf(out, written);
    }

    private static String baseXEncode(byte[] data, String alphabet) {
        int base = alphabet.length();
        int zeros = 0;
        while (zeros < data.length && data[zeros] == 0) {
            zeros++;
        }
        // log(256) / log(base), rounded up: enough digits for the remaining bytes.
        int size = (int) ((data.length - zeros) * (Math.log(256) / Math.log(base))) + 1;
        int[] digits = new int[size];
        int length = 0;
        for (int i = zeros; i < data.length; i++) {
            int carry = data[i] & 0xFF;
            int j = 0;
            for (int k = size - 1; (carry != 0 || j < length) && k >= 0; k--, j++) {
                carry += 256 * digits[k];
                digits[k] = carry % base;
                carry /= base;
            }
            length = j;
        }
        int it = size - length;
        while (it < size && digits[it] == 0) {
            it++;
        }
        StringBuilder out = new StringBuilder(zeros + size - it);
        for (int i = 0; i < zeros; i++) {
            out.append(alphabet.charAt(0));
        }
        for (; it < size; it++) {
            out.append(alphabet.charAt(digits[it]));
        }
        return out.toString();
    }

    private byte[] baseXDecode(String text, int start, String alphabet, boolean caseInsensitive) {
        int base = alphabet.length();
        int pos = start;
        int zeros = 0;
        while (pos < text.length() && digitValue(alphabet, text.charAt(pos), caseInsensitive) == 0) {
            zeros++;
            pos++;
        }
        // log(base) / log(256), rounded up.
        int size = (int) ((text.length() - pos) * (Math.log(base) / Math.log(256))) + 1;
        int[] bytes = new int[size];
        int length = 0;
        for (int i = pos; i < text.length(); i++) {
            int carry = digitValue(alphabet, text.charAt(i), caseInsensitive);
            if (carry < 0) {
                throw badCharacter(text, i);
            }
            int j = 0;
            for (int k = size - 1; (carry != 0 || j < length) && k >= 0; k--, j++) {
                carry += base * bytes[k];
                bytes[k] = carry % 256;
                carry /= 256;
            }
            length = j;
        }
        int it = size - length;
        while (it < size && bytes[it] == 0) {
            it++;
        }
        byte[] out = new byte[zeros + size - it];
        for (int i = zeros; i < out.length; i++) {
            out[i] = (byte) bytes[it++];
        }
        return out;
    }

    private static int digitValue(String alphabet, char c, boolean caseInsensitive) {
        if (c > 0x7F) {
            return -1; // checked before case folding: some non-ASCII letters lower-case to ASCII ones
        }
        char lookup = caseInsensitive && c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
        return alphabet.indexOf(lookup);
    }

    private IllegalArgumentException badCharacter(String text, int position) {
        char c = text.charAt(position);
        String shown = c < 0x20 || c > 0x7E ? String.format("U+%04X", (int) c) : "'" + c + "'";
        return new IllegalArgumentException(
                "invalid " + encodingName + " character " + shown + " at position " + position + " in \""
                        + text + "\"");
    }
}
