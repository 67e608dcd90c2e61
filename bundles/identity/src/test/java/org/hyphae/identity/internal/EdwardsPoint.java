package org.hyphae.identity.internal;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A point of edwards25519 in affine coordinates, with BigInteger arithmetic straight from RFC 8032
 * section 5.1: slow and simple, for building the odd signatures (small-order and mixed-order points,
 * non-canonical encodings) that no signer makes, to test verifiers on them.
 */
record EdwardsPoint(BigInteger x, BigInteger y) {

    static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
    /** The prime order of the base point. */
    static final BigInteger L = BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
    static final BigInteger D = BigInteger.valueOf(-121665).multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
    private static final BigInteger SQRT_MINUS_1 = BigInteger.TWO.modPow(P.subtract(BigInteger.ONE).shiftRight(2), P);

    static final EdwardsPoint IDENTITY = new EdwardsPoint(BigInteger.ZERO, BigInteger.ONE);
    static final EdwardsPoint BASE = base();

    private static EdwardsPoint base() {
        BigInteger y = BigInteger.valueOf(4).multiply(BigInteger.valueOf(5).modInverse(P)).mod(P);
        return decode(encode(y, false));
    }

    /** RFC 8032 5.1.2: y little-endian with the sign of x in the top bit. */
    byte[] encode() {
        return encode(y, x.testBit(0));
    }

    /** 32 bytes of any y below 2^255 (also y >= p: a non-canonical encoding) and a sign bit. */
    static byte[] encode(BigInteger y, boolean sign) {
        byte[] out = new byte[32];
        byte[] big = y.toByteArray();
        for (int i = 0; i < big.length && i < 32; i++) {
            out[i] = big[big.length - 1 - i];
        }
        if (sign) {
            out[31] |= (byte) 0x80;
        }
        return out;
    }

    /** RFC 8032 5.1.3, except that y is taken mod p (so non-canonical encodings decode); null if no point. */
    static EdwardsPoint decode(byte[] encoded) {
        byte[] le = encoded.clone();
        boolean sign = (le[31] & 0x80) != 0;
        le[31] &= 0x7f;
        BigInteger y = littleEndian(le).mod(P);
        BigInteger y2 = y.multiply(y).mod(P);
        BigInteger u = y2.subtract(BigInteger.ONE).mod(P);
        BigInteger v = D.multiply(y2).add(BigInteger.ONE).mod(P);
        BigInteger x2 = u.multiply(v.modInverse(P)).mod(P);
        BigInteger x = x2.modPow(P.add(BigInteger.valueOf(3)).shiftRight(3), P);
        if (!x.multiply(x).mod(P).equals(x2)) {
            x = x.multiply(SQRT_MINUS_1).mod(P);
        }
        if (!x.multiply(x).mod(P).equals(x2)) {
            return null;
        }
        if (x.signum() == 0 && sign) {
            return null;
        }
        if (x.testBit(0) != sign) {
            x = P.subtract(x);
        }
        return new EdwardsPoint(x, y);
    }

    EdwardsPoint add(EdwardsPoint o) {
        BigInteger xx = x.multiply(o.x).mod(P);
        BigInteger yy = y.multiply(o.y).mod(P);
        BigInteger dxy = D.multiply(xx).multiply(yy).mod(P);
        BigInteger x3 = x.multiply(o.y).add(o.x.multiply(y)).multiply(BigInteger.ONE.add(dxy).modInverse(P)).mod(P);
        BigInteger y3 = yy.add(xx).multiply(BigInteger.ONE.subtract(dxy).mod(P).modInverse(P)).mod(P);
        return new EdwardsPoint(x3, y3);
    }

    EdwardsPoint multiply(BigInteger k) {
        EdwardsPoint result = IDENTITY;
        EdwardsPoint addend = this;
        for (int i = 0; i < k.bitLength(); i++) {
            if (k.testBit(i)) {
                result = result.add(addend);
            }
            addend = addend.add(addend);
        }
        return result;
    }

    /** The order of a point of the torsion subgroup (1, 2, 4 or 8), or 0 if it has a large-order part. */
    int smallOrder() {
        EdwardsPoint q = this;
        for (int order = 1; order <= 8; order *= 2) {
            if (q.equals(IDENTITY)) {
                return order;
            }
            q = q.add(q);
        }
        return 0;
    }

    static BigInteger littleEndian(byte[] le) {
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        return new BigInteger(1, be);
    }

    /** A scalar below 2^256 as 32 little-endian bytes (also one >= L: a non-canonical S). */
    static byte[] scalarBytes(BigInteger s) {
        if (s.signum() < 0 || s.bitLength() > 256) {
            throw new IllegalArgumentException("not a 256-bit scalar: " + s);
        }
        byte[] out = new byte[32];
        byte[] big = s.toByteArray();
        for (int i = 0; i < big.length && i < 32; i++) {
            out[i] = big[big.length - 1 - i];
        }
        return out;
    }

    /** SHA-512 of the parts, as a little-endian integer mod L (RFC 8032's h and r). */
    static BigInteger hashModL(byte[]... parts) {
        try {
            MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
            for (byte[] part : parts) {
                sha512.update(part);
            }
            return littleEndian(sha512.digest()).mod(L);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The secret scalar a of a 32-byte seed (RFC 8032 5.1.5: SHA-512, clamped low half). */
    static BigInteger secretScalar(byte[] seed) {
        try {
            byte[] h = Arrays.copyOf(MessageDigest.getInstance("SHA-512").digest(seed), 32);
            h[0] &= (byte) 248;
            h[31] &= 127;
            h[31] |= 64;
            return littleEndian(h);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
