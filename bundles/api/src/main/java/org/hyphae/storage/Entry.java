package org.hyphae.storage;

import java.util.Arrays;
import java.util.Objects;

/**
 * A datastore key and its value. Immutable: the arrays are copied in and out.
 */
public final class Entry {

    private final byte[] key;
    private final byte[] value;

    /**
     * Creates an entry.
     *
     * @param key the key; copied
     * @param value the value; copied
     */
    public Entry(byte[] key, byte[] value) {
        this.key = Objects.requireNonNull(key, "key").clone();
        this.value = Objects.requireNonNull(value, "value").clone();
    }

    /**
     * Returns the key.
     *
     * @return a copy of the key
     */
    public byte[] key() {
        return key.clone();
    }

    /**
     * Returns the value.
     *
     * @return a copy of the value
     */
    public byte[] value() {
        return value.clone();
    }

    /**
     * Compares key and value.
     *
     * @param o another object
     * @return whether {@code o} is an entry with equal key and value
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Entry && Arrays.equals(key, ((Entry) o).key) && Arrays.equals(value, ((Entry) o).value);
    }

    /**
     * Returns a hash code consistent with {@link #equals(Object)}.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
    }

    /**
     * Describes the entry by its key length and value length.
     *
     * @return a short description
     */
    @Override
    public String toString() {
        return "Entry[key " + key.length + " B, value " + value.length + " B]";
    }
}
