package org.hyphae.interop;

import java.util.HexFormat;

import com.fasterxml.jackson.databind.JsonNode;

/** Lower-case hex, the way byte values travel to and from the js scripts. */
public final class Hex {

    private static final HexFormat HEX = HexFormat.of();

    private Hex() {}

    public static String encode(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    public static byte[] decode(String hex) {
        return HEX.parseHex(hex);
    }

    /** The bytes in the hex string field {@code name} of a js response. */
    public static byte[] field(JsonNode response, String name) {
        JsonNode value = response.get(name);
        if (value == null || !value.isTextual()) {
            throw new IllegalStateException("response has no hex field \"" + name + "\": " + response);
        }
        return decode(value.asText());
    }
}
