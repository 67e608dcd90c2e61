package org.hyphae.discovery.kad.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/** Record keys ({@code /namespace/rest}) and the record timestamp format, as the DHT's peers have them. */
final class RecordKeys {

    private static final DateTimeFormatter RFC3339_NANO = DateTimeFormatter
            .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private RecordKeys() {
    }

    /** The namespace of {@code /ns/rest}, or null if the key has none. */
    static String namespace(byte[] key) {
        if (key.length < 3 || key[0] != '/') {
            return null;
        }
        for (int i = 1; i < key.length; i++) {
            if (key[i] == '/') {
                return i == 1 ? null : new String(key, 1, i - 1, StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** A key for log and error messages: its namespace and length, or hex if it has none. */
    static String printable(byte[] key) {
        String ns = namespace(key);
        return ns == null ? HexFormat.of().formatHex(key) : "/" + ns + "/...(" + key.length + " bytes)";
    }

    /** RFC 3339 with nanoseconds, as go's RFC3339Nano and js-libp2p's record parser (which needs the fraction) have it. */
    static String rfc3339(long epochMs) {
        return RFC3339_NANO.format(Instant.ofEpochMilli(epochMs));
    }
}
