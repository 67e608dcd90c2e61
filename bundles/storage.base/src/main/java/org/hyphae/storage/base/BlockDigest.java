package org.hyphae.storage.base;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.multiformats.Multihash;
import org.hyphae.storage.BlockMismatchException;
import org.hyphae.storage.StorageException;

/**
 * Hashes a block incrementally and checks it against its CID's multihash, so that large blocks can
 * be verified while they stream instead of after buffering. Not thread-safe: one per transfer.
 */
public final class BlockDigest {

    private final Cid cid;
    private final byte[] expected;
    private final MessageDigest digest;
    // Identity "hashes" compare the data itself; collect it, bounded by the digest's length.
    private final byte[] identity;
    private long length;

    private BlockDigest(Cid cid, MessageDigest digest) {
        this.cid = cid;
        Multihash mh = cid.multihash();
        this.expected = mh.digest();
        this.digest = digest;
        this.identity = digest == null ? new byte[expected.length] : null;
    }

    /**
     * Starts hashing a block.
     *
     * @param cid the CID the block must match
     * @return a digest ready for {@link #update}
     * @throws BlockMismatchException if the CID's hash function cannot be checked here, or its
     *     digest is longer than the function produces
     */
    public static BlockDigest forCid(Cid cid) throws BlockMismatchException {
        long code = cid.multihash().code();
        if (code == Multicodec.IDENTITY.code()) {
            return new BlockDigest(cid, null);
        }
        String algorithm = algorithm(code);
        if (algorithm == null) {
            throw new BlockMismatchException(cid, "cannot verify hash function " + Multicodec.describe(code)
                    + "; supported: identity, sha1, sha2-256, sha2-512, sha3-256");
        }
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no " + algorithm, e);
        }
        if (cid.multihash().digestLength() > md.getDigestLength()) {
            throw new BlockMismatchException(cid, "digest of " + cid.multihash().digestLength()
                    + " bytes is longer than " + Multicodec.describe(code) + " produces");
        }
        return new BlockDigest(cid, md);
    }

    private static String algorithm(long code) {
        if (code == Multicodec.SHA2_256.code()) {
            return "SHA-256";
        } else if (code == Multicodec.SHA2_512.code()) {
            return "SHA-512";
        } else if (code == Multicodec.SHA3_256.code()) {
            return "SHA3-256";
        } else if (code == Multicodec.SHA1.code()) {
            return "SHA-1";
        }
        return null;
    }

    /**
     * Adds bytes.
     *
     * @param buf the bytes
     * @param off where they start
     * @param len how many
     */
    public void update(byte[] buf, int off, int len) {
        if (digest != null) {
            digest.update(buf, off, len);
        } else if (length < identity.length) {
            System.arraycopy(buf, off, identity, (int) length, (int) Math.min(len, identity.length - length));
        }
        length += len;
    }

    /**
     * Returns how many bytes were hashed.
     *
     * @return the byte count
     */
    public long length() {
        return length;
    }

    /**
     * Finishes hashing and compares. Call once.
     *
     * @return whether the bytes hashed so far match the CID
     */
    public boolean matches() {
        if (digest == null) {
            return length == identity.length && MessageDigest.isEqual(identity, expected);
        }
        byte[] full = digest.digest();
        return MessageDigest.isEqual(expected, Arrays.copyOf(full, expected.length));
    }

    /**
     * Finishes hashing and throws if the bytes do not match.
     *
     * @throws BlockMismatchException naming the CID and the length hashed
     */
    public void check() throws BlockMismatchException {
        if (!matches()) {
            throw new BlockMismatchException(cid, length + " byte(s) do not hash to this CID's "
                    + Multicodec.describe(cid.multihash().code()) + " digest");
        }
    }

    /**
     * Verifies a whole block at once.
     *
     * @param cid the CID
     * @param data the bytes
     * @return whether they match
     * @throws BlockMismatchException if the hash function cannot be checked
     */
    public static boolean matches(Cid cid, byte[] data) throws BlockMismatchException {
        BlockDigest d = forCid(cid);
        d.update(data, 0, data.length);
        return d.matches();
    }

    /**
     * Reads a whole block from {@code data} into memory while hashing it, for stores that keep a
     * block as one value (memory, PostgreSQL).
     *
     * @param resource what the store names in its errors (a connection, {@code memory})
     * @return the verified bytes
     * @throws StorageException if the stream fails (nothing is stored), or
     *     {@link BlockMismatchException} if the bytes do not hash to {@code cid}
     */
    public static byte[] readVerified(Cid cid, InputStream data, String resource) throws StorageException {
        BlockDigest digest = forCid(cid);
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        try {
            int n;
            while ((n = data.read(buf)) >= 0) {
                digest.update(buf, 0, n);
                copy.write(buf, 0, n);
            }
        } catch (IOException e) {
            throw new StorageException("cannot read block " + cid + " from its stream after " + digest.length()
                    + " byte(s); nothing stored", resource, e);
        }
        digest.check();
        return copy.toByteArray();
    }
}
