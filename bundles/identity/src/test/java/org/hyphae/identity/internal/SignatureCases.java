package org.hyphae.identity.internal;

import static org.hyphae.identity.internal.EdwardsPoint.BASE;
import static org.hyphae.identity.internal.EdwardsPoint.L;
import static org.hyphae.identity.internal.EdwardsPoint.P;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.hyphae.identity.KeyType;
import org.hyphae.identity.PeerId;

/**
 * The signatures verifiers are compared on: RFC 8032's vectors, random valid signatures, flipped
 * bits, non-canonical scalars and encodings, small-order and mixed-order points (where verifiers
 * differ: cofactored or not, strict or lax decoding). Each case carries the verdicts BouncyCastle
 * may give for its kind, or any verdict where the kind does not fix it.
 */
final class SignatureCases {

    /** What a verification gave. */
    enum Outcome { VALID, INVALID, THROWS }

    /** One signature to check; {@code allowed} are the outcomes the kind permits. */
    record Case(String kind, byte[] publicKeyProtobuf, byte[] rawKey, byte[] message, byte[] signature,
            Set<Outcome> allowed) {
    }

    private static final Set<Outcome> VALID = Set.of(Outcome.VALID);
    private static final Set<Outcome> INVALID = Set.of(Outcome.INVALID);
    /** A key that is no point (or not a canonical one) may already fail to decode. */
    private static final Set<Outcome> REJECTED = Set.of(Outcome.INVALID, Outcome.THROWS);
    private static final Set<Outcome> ANY = Set.of(Outcome.VALID, Outcome.INVALID, Outcome.THROWS);

    /** RFC 8032 section 7.1: seed, public key, message, signature (TEST 1, 2, 3 and SHA(abc)). */
    static final String[][] RFC8032 = {
        {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
         + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
        {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
         + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
        {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
         "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
         "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
         + "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
        {"833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
         "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
         "ddaf35a193617abacc417349ae204131" + "12e6fa4e89a97ea20a9eeee64b55d39a"
         + "2192992a274fc1a836ba3c23a3feebbd" + "454d4423643ce80e2a9ac94fa54ca49f",
         "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
         + "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"},
    };

    private final Random random;
    private final List<Case> cases = new ArrayList<>();

    private SignatureCases(long seed) {
        random = new Random(seed);
    }

    /** All cases; {@code randomValid} random valid signatures and a tenth as many of each flipped kind. */
    static List<Case> build(long seed, int randomValid) {
        SignatureCases c = new SignatureCases(seed);
        c.rfc8032();
        List<Signer> signers = c.signers(64);
        c.randomValid(signers, randomValid);
        c.flipped(signers, Math.max(10, randomValid / 10));
        c.nonCanonicalScalars(signers, 100);
        List<EdwardsPoint> torsion = torsion();
        c.smallOrderKeys(signers, torsion);
        c.smallOrderR(signers, torsion);
        c.mixedOrder(signers, torsion);
        c.nonCanonicalKeys(signers);
        c.odd(signers.get(0));
        return c.cases;
    }

    /** The eight points of order dividing 8: multiples of one point of order 8, found as [L]Q. */
    static List<EdwardsPoint> torsion() {
        for (int y = 2; ; y++) {
            EdwardsPoint q = EdwardsPoint.decode(EdwardsPoint.encode(BigInteger.valueOf(y), false));
            if (q == null) {
                continue;
            }
            EdwardsPoint t = q.multiply(L);
            if (t.smallOrder() == 8) {
                List<EdwardsPoint> all = new ArrayList<>();
                for (int k = 0; k < 8; k++) {
                    all.add(t.multiply(BigInteger.valueOf(k)));
                }
                return all;
            }
        }
    }

    /** A key pair with its secret scalar, for signatures no honest signer makes. */
    record Signer(Ed25519KeyPair pair, BigInteger a, byte[] publicKey) {
    }

    private List<Signer> signers(int n) {
        List<Signer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] seed = bytes(32);
            Ed25519KeyPair pair = Ed25519KeyPair.fromSeed(seed);
            out.add(new Signer(pair, EdwardsPoint.secretScalar(seed), pair.publicKey()));
        }
        // The slow arithmetic must agree with BouncyCastle, or the odd cases below mean nothing.
        Signer first = out.get(0);
        if (!Arrays.equals(BASE.multiply(first.a()).encode(), first.publicKey())) {
            throw new AssertionError("BigInteger Ed25519 arithmetic disagrees with BouncyCastle's public key");
        }
        return out;
    }

    private void rfc8032() {
        for (String[] v : RFC8032) {
            byte[] key = hex(v[1]);
            add("RFC 8032 vector", key, hex(v[2]), hex(v[3]), VALID);
        }
    }

    private void randomValid(List<Signer> signers, int n) {
        for (int i = 0; i < n; i++) {
            Signer s = signers.get(random.nextInt(signers.size()));
            byte[] message = bytes(random.nextInt(600));
            add("random valid", s.publicKey(), message, s.pair().sign(message), VALID);
        }
    }

    private void flipped(List<Signer> signers, int n) {
        for (int i = 0; i < n; i++) {
            Signer s = signers.get(random.nextInt(signers.size()));
            byte[] message = bytes(1 + random.nextInt(300));
            byte[] signature = s.pair().sign(message);
            add("flipped signature bit", s.publicKey(), message, flip(signature), INVALID);
            add("flipped message bit", s.publicKey(), flip(message), signature, INVALID);
            add("flipped key bit", flip(s.publicKey()), message, signature, REJECTED);
        }
    }

    /** S + kL: the same point equation holds, but RFC 8032 requires S < L. */
    private void nonCanonicalScalars(List<Signer> signers, int n) {
        for (int i = 0; i < n; i++) {
            Signer s = signers.get(random.nextInt(signers.size()));
            byte[] message = bytes(random.nextInt(200));
            byte[] signature = s.pair().sign(message);
            BigInteger scalar = EdwardsPoint.littleEndian(Arrays.copyOfRange(signature, 32, 64));
            for (int k = 1; k <= 15; k++) {
                BigInteger big = scalar.add(L.multiply(BigInteger.valueOf(k)));
                if (big.bitLength() <= 256) {
                    add("S >= L (S + " + (k == 1 ? "" : k) + "L)", s.publicKey(), message,
                            withS(signature, big), INVALID);
                }
            }
        }
    }

    /** Small-order encodings, canonical and not (y >= p, x = 0 with the sign bit set). */
    static List<byte[]> smallOrderEncodings(List<EdwardsPoint> torsion) {
        List<byte[]> out = new ArrayList<>();
        for (EdwardsPoint t : torsion) {
            out.add(t.encode());
        }
        out.add(EdwardsPoint.encode(P, false)); // y = 0 (order 4) as y = p
        out.add(EdwardsPoint.encode(P, true));
        out.add(EdwardsPoint.encode(P.add(BigInteger.ONE), false)); // the identity as y = p + 1
        out.add(EdwardsPoint.encode(P.add(BigInteger.ONE), true));
        out.add(EdwardsPoint.encode(BigInteger.ONE, true)); // the identity with x = -0
        out.add(EdwardsPoint.encode(P.subtract(BigInteger.ONE), true)); // (0, -1) with x = -0
        return out;
    }

    /**
     * Small-order public keys. With A and R the identity and S = 0 the equation holds for every
     * message; with A of order 2 and R the identity it holds for every even h: a verifier that
     * accepts small-order keys lets anyone sign for them.
     */
    private void smallOrderKeys(List<Signer> signers, List<EdwardsPoint> torsion) {
        byte[] identity = EdwardsPoint.IDENTITY.encode();
        for (byte[] a : smallOrderEncodings(torsion)) {
            for (int i = 0; i < 6; i++) {
                byte[] message = bytes(40);
                add("small-order A, R = identity, S = 0", a, message, concat(identity, new byte[32]), REJECTED);
                Signer s = signers.get(random.nextInt(signers.size()));
                add("small-order A, a real signature", a, message, s.pair().sign(message), REJECTED);
            }
            for (byte[] r : smallOrderEncodings(torsion)) {
                add("small-order A and R, S = 0", a, bytes(20), concat(r, new byte[32]), REJECTED);
            }
        }
    }

    /**
     * Small-order R with S = h*a: SB - hA is the identity, so it holds without the cofactor only for
     * R the identity, and with the cofactor ([8](SB - hA - R) = 0) for every small-order R.
     */
    private void smallOrderR(List<Signer> signers, List<EdwardsPoint> torsion) {
        for (byte[] r : smallOrderEncodings(torsion)) {
            for (int i = 0; i < 4; i++) {
                Signer s = signers.get(random.nextInt(signers.size()));
                byte[] message = bytes(50);
                BigInteger h = EdwardsPoint.hashModL(r, s.publicKey(), message);
                add("small-order R, S = h*a", s.publicKey(), message,
                        concat(r, EdwardsPoint.scalarBytes(h.multiply(s.a()).mod(L))), ANY);
            }
        }
    }

    /**
     * A + T and R + T for T of order 2, 4 and 8: the signature holds with the cofactor always and
     * without it only when hT (for A) is the identity.
     */
    private void mixedOrder(List<Signer> signers, List<EdwardsPoint> torsion) {
        for (EdwardsPoint t : torsion.subList(1, 8)) {
            for (int i = 0; i < 8; i++) {
                Signer s = signers.get(random.nextInt(signers.size()));
                byte[] message = bytes(30);
                BigInteger r = new BigInteger(300, random).mod(L);
                EdwardsPoint bigR = BASE.multiply(r);
                byte[] mixedA = EdwardsPoint.decode(s.publicKey()).add(t).encode();
                BigInteger h = EdwardsPoint.hashModL(bigR.encode(), mixedA, message);
                add("mixed-order A (A + T, T of order " + t.smallOrder() + ")", mixedA, message,
                        concat(bigR.encode(), EdwardsPoint.scalarBytes(r.add(h.multiply(s.a())).mod(L))), ANY);

                byte[] mixedR = bigR.add(t).encode();
                BigInteger h2 = EdwardsPoint.hashModL(mixedR, s.publicKey(), message);
                add("mixed-order R (R + T, T of order " + t.smallOrder() + ")", s.publicKey(), message,
                        concat(mixedR, EdwardsPoint.scalarBytes(r.add(h2.multiply(s.a())).mod(L))), ANY);
            }
        }
    }

    /** Points of large order written with y + p (y < 19), and non-canonical R of a real signature. */
    private void nonCanonicalKeys(List<Signer> signers) {
        for (int y = 2; y < 19; y++) {
            for (boolean sign : new boolean[] {false, true}) {
                byte[] encoded = EdwardsPoint.encode(P.add(BigInteger.valueOf(y)), sign);
                EdwardsPoint point = EdwardsPoint.decode(encoded);
                if (point == null || point.smallOrder() != 0) {
                    continue;
                }
                Signer s = signers.get(random.nextInt(signers.size()));
                byte[] message = bytes(25);
                add("non-canonical A (y + p)", encoded, message, s.pair().sign(message), REJECTED);
            }
        }
        // R written non-canonically where it can be: a real R with y < 19 is out of reach, so the
        // identity as y = p + 1 with S = h*a, which satisfies the equation as points, not as bytes.
        for (int i = 0; i < 8; i++) {
            Signer s = signers.get(random.nextInt(signers.size()));
            byte[] message = bytes(25);
            byte[] r = EdwardsPoint.encode(P.add(BigInteger.ONE), false);
            BigInteger h = EdwardsPoint.hashModL(r, s.publicKey(), message);
            add("non-canonical R (identity as y = p + 1), S = h*a", s.publicKey(), message,
                    concat(r, EdwardsPoint.scalarBytes(h.multiply(s.a()).mod(L))), ANY);
        }
    }

    /** Lengths and key types that never reach a curve. */
    private void odd(Signer s) {
        byte[] message = bytes(10);
        byte[] signature = s.pair().sign(message);
        add("signature of 63 bytes", s.publicKey(), message, Arrays.copyOf(signature, 63), INVALID);
        add("signature of 65 bytes", s.publicKey(), message, Arrays.copyOf(signature, 65), INVALID);
        add("empty signature", s.publicKey(), message, new byte[0], INVALID);
        byte[] secp = new PeerId.PublicKey(KeyType.SECP256K1, bytes(33)).encode();
        cases.add(new Case("secp256k1 key", secp, null, message, signature, INVALID));
    }

    private void add(String kind, byte[] rawKey, byte[] message, byte[] signature, Set<Outcome> allowed) {
        byte[] protobuf = new PeerId.PublicKey(KeyType.ED25519, rawKey).encode();
        cases.add(new Case(kind, protobuf, rawKey, message, signature, allowed));
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private byte[] flip(byte[] b) {
        byte[] out = b.clone();
        int bit = random.nextInt(out.length * 8);
        out[bit / 8] ^= (byte) (1 << (bit % 8));
        return out;
    }

    private static byte[] withS(byte[] signature, BigInteger s) {
        return concat(Arrays.copyOf(signature, 32), EdwardsPoint.scalarBytes(s));
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    /** The kinds in the order they were built, for a readable summary. */
    static Set<String> kinds(List<Case> cases) {
        Set<String> kinds = new LinkedHashSet<>();
        cases.forEach(c -> kinds.add(c.kind()));
        return kinds;
    }
}
