package org.hyphae.storage;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A range of datastore keys, {@code [from, to)} in unsigned byte order; either end may be open.
 * Immutable.
 */
public final class KeyRange {

    private static final KeyRange ALL = new KeyRange(null, null);

    private final byte[] from;
    private final byte[] to;

    private KeyRange(byte[] from, byte[] to) {
        this.from = from;
        this.to = to;
    }

    /**
     * Returns the range of every key.
     *
     * @return the unbounded range
     */
    public static KeyRange all() {
        return ALL;
    }

    /**
     * Returns the keys from {@code from} (inclusive) to {@code to} (exclusive).
     *
     * @param from the lowest key in the range; copied
     * @param to the first key after the range; copied
     * @return the range, empty if {@code to} is not above {@code from}
     */
    public static KeyRange between(byte[] from, byte[] to) {
        return new KeyRange(Objects.requireNonNull(from, "from").clone(), Objects.requireNonNull(to, "to").clone());
    }

    /**
     * Returns the keys from {@code from} (inclusive) on.
     *
     * @param from the lowest key in the range; copied
     * @return the range
     */
    public static KeyRange atLeast(byte[] from) {
        return new KeyRange(Objects.requireNonNull(from, "from").clone(), null);
    }

    /**
     * Returns the keys below {@code to}.
     *
     * @param to the first key after the range; copied
     * @return the range
     */
    public static KeyRange below(byte[] to) {
        return new KeyRange(null, Objects.requireNonNull(to, "to").clone());
    }

    /**
     * Returns the keys that start with {@code prefix}.
     *
     * @param prefix the prefix; an empty prefix means every key
     * @return the range {@code [prefix, next)} where {@code next} is the smallest key above every
     *     key with that prefix (open-ended if the prefix is all {@code 0xff} bytes)
     */
    public static KeyRange prefix(byte[] prefix) {
        Objects.requireNonNull(prefix, "prefix");
        int i = prefix.length - 1;
        while (i >= 0 && prefix[i] == (byte) 0xff) {
            i--;
        }
        if (i < 0) {
            return prefix.length == 0 ? ALL : atLeast(prefix);
        }
        byte[] next = Arrays.copyOf(prefix, i + 1);
        next[i]++;
        return between(prefix, next);
    }

    /**
     * Returns the lower bound.
     *
     * @return a copy of the lowest key in the range, or empty if the range is open below
     */
    public Optional<byte[]> from() {
        return Optional.ofNullable(from).map(byte[]::clone);
    }

    /**
     * Returns the upper bound.
     *
     * @return a copy of the first key after the range, or empty if the range is open above
     */
    public Optional<byte[]> to() {
        return Optional.ofNullable(to).map(byte[]::clone);
    }

    /**
     * Tells whether a key is in the range.
     *
     * @param key a key
     * @return whether {@code from <= key < to} in unsigned byte order
     */
    public boolean contains(byte[] key) {
        return (from == null || Arrays.compareUnsigned(key, from) >= 0)
                && (to == null || Arrays.compareUnsigned(key, to) < 0);
    }

    /**
     * Compares the bounds.
     *
     * @param o another object
     * @return whether {@code o} is a range with the same bounds
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof KeyRange && Arrays.equals(from, ((KeyRange) o).from) && Arrays.equals(to, ((KeyRange) o).to);
    }

    /**
     * Returns a hash code consistent with {@link #equals(Object)}.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(from) + Arrays.hashCode(to);
    }

    /**
     * Describes the range with its bounds in hex.
     *
     * @return for example {@code [0a01, 0a02)}
     */
    @Override
    public String toString() {
        return "[" + (from == null ? "" : hex(from)) + ", " + (to == null ? "" : hex(to)) + ")";
    }

    private static String hex(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            out.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return out.toString();
    }
}
