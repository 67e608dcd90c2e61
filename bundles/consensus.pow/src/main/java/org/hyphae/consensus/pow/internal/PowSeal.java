package org.hyphae.consensus.pow.internal;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

import org.hyphae.ledger.BlockHeader;

/**
 * A proof-of-work seal: {@code u8 version, 32-byte target (big-endian), u64 nonce}. The work hash
 * is {@code SHA-256(d || nonce)} with {@code d = SHA-256("hyphae/pow/v1" || header without its
 * seal || target)}; it must be at most the target. Hashing the header once per template leaves 40
 * bytes per nonce, one SHA-256 block, so a miner's rate is the machine's raw SHA-256 rate. The
 * target is in the seal so that a header says what it claims (the engine checks it against the
 * retarget rule).
 *
 * @param target the target the block was mined against, 32 bytes
 * @param nonce the nonce that meets it
 */
record PowSeal(byte[] target, long nonce) {

    static final int VERSION = 1;
    static final int LENGTH = 1 + 32 + 8;
    private static final byte[] DOMAIN = "hyphae/pow/v1".getBytes(StandardCharsets.US_ASCII);

    PowSeal {
        if (target.length != 32) {
            throw new IllegalArgumentException("target is " + target.length + " bytes, expected 32");
        }
        target = target.clone();
    }

    PowSeal(BigInteger target, long nonce) {
        this(Targets.toBytes(target), nonce);
    }

    BigInteger targetValue() {
        return new BigInteger(1, target);
    }

    @Override
    public byte[] target() {
        return target.clone();
    }

    byte[] encode() {
        return ByteBuffer.allocate(LENGTH).put((byte) VERSION).put(target).putLong(nonce).array();
    }

    static PowSeal decode(byte[] seal) {
        if (seal.length != LENGTH) {
            throw new IllegalArgumentException("seal is " + seal.length + " bytes, expected " + LENGTH);
        }
        ByteBuffer in = ByteBuffer.wrap(seal);
        int version = in.get() & 0xff;
        if (version != VERSION) {
            throw new IllegalArgumentException("seal version " + version + ", expected " + VERSION);
        }
        byte[] t = new byte[32];
        in.get(t);
        return new PowSeal(t, in.getLong());
    }

    /** The per-template part of the work hash: the header (all but the seal) and the target. */
    static byte[] headerDigest(BlockHeader header, byte[] target) {
        MessageDigest md = sha256();
        md.update(DOMAIN);
        md.update(header.unsealedBytes());
        md.update(target);
        return md.digest();
    }

    /** The work hash of a sealed header. */
    static byte[] workHash(BlockHeader header, PowSeal seal) {
        MessageDigest md = sha256();
        md.update(headerDigest(header, seal.target));
        md.update(ByteBuffer.allocate(8).putLong(seal.nonce).array());
        return md.digest();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PowSeal s && nonce == s.nonce && Arrays.equals(target, s.target);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(target) * 31 + Long.hashCode(nonce);
    }
}
