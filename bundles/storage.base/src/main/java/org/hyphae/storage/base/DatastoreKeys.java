package org.hyphae.storage.base;

import org.hyphae.storage.Datastore;

/** The Datastore contract's limits on keys and values, checked before a store is touched. */
public final class DatastoreKeys {

    private DatastoreKeys() {
    }

    /**
     * Checks a key.
     *
     * @param key the key
     * @return the key
     * @throws IllegalArgumentException if it is null, empty or longer than {@link Datastore#MAX_KEY_LENGTH}
     */
    public static byte[] checkKey(byte[] key) {
        if (key == null || key.length == 0) {
            throw new IllegalArgumentException("datastore keys must not be empty");
        }
        if (key.length > Datastore.MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("datastore key of " + key.length + " bytes is longer than the limit of "
                    + Datastore.MAX_KEY_LENGTH);
        }
        return key;
    }

    /**
     * Checks a value.
     *
     * @param value the value
     * @return the value
     * @throws IllegalArgumentException if it is null or longer than {@link Datastore#MAX_VALUE_LENGTH}
     */
    public static byte[] checkValue(byte[] value) {
        if (value == null) {
            throw new IllegalArgumentException("datastore values must not be null");
        }
        if (value.length > Datastore.MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("datastore value of " + value.length + " bytes is larger than the limit of "
                    + Datastore.MAX_VALUE_LENGTH);
        }
        return value;
    }

    /**
     * Formats a key for messages: hex, shortened if long.
     *
     * @param key the key
     * @return for example {@code 0a0b0c (3 B)}
     */
    public static String describe(byte[] key) {
        StringBuilder out = new StringBuilder();
        int shown = Math.min(key.length, 32);
        for (int i = 0; i < shown; i++) {
            out.append(Character.forDigit((key[i] >> 4) & 0xf, 16)).append(Character.forDigit(key[i] & 0xf, 16));
        }
        if (shown < key.length) {
            out.append("...");
        }
        return out.append(" (").append(key.length).append(" B)").toString();
    }
}
