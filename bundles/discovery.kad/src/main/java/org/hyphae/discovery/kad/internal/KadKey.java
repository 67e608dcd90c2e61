package org.hyphae.discovery.kad.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A point in the Kademlia key space: the SHA-256 of a key's bytes (a peer id's bytes, a record key,
 * a provider multihash), compared by XOR distance as the kad-dht spec says.
 */
public final class KadKey {

    private final byte[] hash;

    private KadKey(byte[] hash) {
        this.hash = hash;
    }

    /** The key-space point of some bytes. */
    public static KadKey of(byte[] bytes) {
        try {
            return new KadKey(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** The XOR distance to another point, as 32 unsigned bytes. */
    public byte[] distance(KadKey other) {
        byte[] d = new byte[32];
        for (int i = 0; i < 32; i++) {
            d[i] = (byte) (hash[i] ^ other.hash[i]);
        }
        return d;
    }

    /** Compares the distances of {@code a} and {@code b} to this point: negative if {@code a} is closer. */
    public int compareDistance(KadKey a, KadKey b) {
        for (int i = 0; i < 32; i++) {
            int da = (hash[i] ^ a.hash[i]) & 0xFF;
            int db = (hash[i] ^ b.hash[i]) & 0xFF;
            if (da != db) {
                return Integer.compare(da, db);
            }
        }
        return 0;
    }

    /** The number of leading bits this point shares with {@code other} (256 when equal). */
    public int commonPrefixLength(KadKey other) {
        for (int i = 0; i < 32; i++) {
            int x = (hash[i] ^ other.hash[i]) & 0xFF;
            if (x != 0) {
                return i * 8 + Integer.numberOfLeadingZeros(x) - 24;
            }
        }
        return 256;
    }

    /**
     * Random bytes whose point shares exactly {@code cpl} leading bits with {@code self}: a lookup
     * key that lands in bucket {@code cpl}. Found by trying (about 2^(cpl+1) hashes), so keep
     * {@code cpl} small (the refresh stops at 15, as go-libp2p does).
     */
    public static byte[] randomInBucket(KadKey self, int cpl, java.util.Random random) {
        if (cpl < 0 || cpl > 20) {
            throw new IllegalArgumentException("bucket " + cpl + " is outside 0..20");
        }
        byte[] candidate = new byte[32];
        while (true) {
            random.nextBytes(candidate);
            if (self.commonPrefixLength(of(candidate)) == cpl) {
                return candidate.clone();
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KadKey k && Arrays.equals(hash, k.hash);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(hash, 0, 8);
    }
}
