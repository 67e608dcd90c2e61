package org.hyphae.identity.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.hyphae.identity.internal.SignatureCases.Case;
import org.hyphae.identity.internal.SignatureCases.Outcome;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The verdict of {@link Ed25519KeyPair#verify} is BouncyCastle's on every case, with libsodium in
 * front and without it: RFC 8032 vectors, thousands of random valid signatures, flipped bits,
 * S >= L, small-order and mixed-order A and R, non-canonical encodings (see {@link SignatureCases}).
 */
class Ed25519VerdictTest {

    private static final SodiumEd25519 BOUNCY_CASTLE_ONLY = SodiumEd25519.unavailable("test");
    private static List<Case> cases;

    @BeforeAll
    static void build() {
        cases = SignatureCases.build(8032, 4000);
    }

    /** Needs libsodium; required under CI=true (.ci/run installs it), skipped elsewhere without it. */
    private static SodiumEd25519 sodium() {
        SodiumEd25519 sodium = SodiumEd25519.load(null, null);
        if (!sodium.loaded() && "true".equals(System.getenv("CI"))) {
            fail("CI=true but libsodium is not used: " + sodium.description());
        }
        Assumptions.assumeTrue(sodium.loaded(), sodium.description());
        return sodium;
    }

    @Test
    void rfc8032VectorsSignAndVerifyWithBouncyCastle() {
        for (String[] v : SignatureCases.RFC8032) {
            Ed25519KeyPair pair = Ed25519KeyPair.fromSeed(SignatureCases.hex(v[0]));
            assertArrayEquals(SignatureCases.hex(v[1]), pair.publicKey(), v[1]);
            assertArrayEquals(SignatureCases.hex(v[3]), pair.sign(SignatureCases.hex(v[2])), v[3]);
        }
    }

    @Test
    void torsionPointsAreTheEightOfSmallOrder() {
        List<EdwardsPoint> torsion = SignatureCases.torsion();
        assertEquals(8, torsion.stream().distinct().count());
        assertEquals(List.of(1, 8, 4, 8, 2, 8, 4, 8), torsion.stream().map(EdwardsPoint::smallOrder).toList());
        // The well-known order-8 encoding (libsodium's list of small-order points has it too).
        assertTrue(torsion.stream().anyMatch(t -> java.util.HexFormat.of().formatHex(t.encode())
                .equals("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")));
    }

    /** Without the native path: BouncyCastle alone, each case within what its kind allows. */
    @Test
    void bouncyCastleAloneGivesTheExpectedVerdicts() {
        List<String> wrong = new ArrayList<>();
        for (Case c : cases) {
            Outcome outcome = outcome(BOUNCY_CASTLE_ONLY, c);
            if (!c.allowed().contains(outcome)) {
                wrong.add(c.kind() + ": " + outcome + ", expected " + c.allowed());
            }
        }
        assertEquals(List.of(), wrong);
    }

    /**
     * With libsodium in front: the combined verdict equals BouncyCastle's on every case, libsodium
     * never accepts what BouncyCastle rejects, and it does reject some that BouncyCastle accepts
     * (so the fall-back is what keeps the rule, not an accident of the cases).
     */
    @Test
    void libsodiumInFrontKeepsBouncyCastlesVerdict() {
        SodiumEd25519 sodium = sodium();
        Map<String, int[]> byKind = new LinkedHashMap<>(); // cases, BC valid, libsodium rejected, of those BC valid
        List<String> differ = new ArrayList<>();
        int sodiumRejected = 0;
        int decidedByBouncyCastle = 0;
        for (Case c : cases) {
            Outcome rule = outcome(BOUNCY_CASTLE_ONLY, c);
            Outcome combined = outcome(sodium, c);
            if (combined != rule) {
                differ.add(c.kind() + ": combined " + combined + ", BouncyCastle " + rule);
            }
            int[] counts = byKind.computeIfAbsent(c.kind(), k -> new int[4]);
            counts[0]++;
            if (rule == Outcome.VALID) {
                counts[1]++;
            }
            if (c.rawKey() != null && c.signature().length == 64) {
                boolean accepts = sodium.accepts(c.signature(), c.message(), c.rawKey());
                if (accepts && rule != Outcome.VALID) {
                    differ.add(c.kind() + ": libsodium accepts what BouncyCastle finds " + rule);
                }
                if (!accepts) {
                    counts[2]++;
                    sodiumRejected++;
                    if (rule == Outcome.VALID) {
                        counts[3]++;
                        decidedByBouncyCastle++;
                    }
                }
            }
        }
        StringBuilder summary = new StringBuilder(String.format("%d cases, %s%n", cases.size(), sodium.description()));
        summary.append(String.format("  %-58s %6s %9s %12s %22s%n", "kind", "cases", "BC valid", "sodium: no",
                "sodium no, BC valid"));
        byKind.forEach((kind, n) -> summary.append(String.format("  %-58s %6d %9d %12d %22d%n", kind, n[0], n[1], n[2], n[3])));
        summary.append(String.format("libsodium rejected %d cases itself; BouncyCastle accepted %d of them%n",
                sodiumRejected, decidedByBouncyCastle));
        System.out.print(summary);
        assertEquals(List.of(), differ);
        assertTrue(decidedByBouncyCastle > 0, "no case where the stricter libsodium said no and BouncyCastle yes:\n"
                + summary);
        assertTrue(byKind.get("random valid")[2] == 0, "libsodium rejected random valid signatures:\n" + summary);
    }

    @Test
    void nativeAndBouncyCastlePathsAgreeOnValidAndInvalid() {
        SodiumEd25519 sodium = sodium();
        Ed25519KeyPair pair = Ed25519KeyPair.generate();
        byte[] data = "in front of BouncyCastle".getBytes();
        byte[] signature = pair.sign(data);
        assertTrue(sodium.accepts(signature, data, pair.publicKey()));
        assertTrue(Ed25519KeyPair.verify(sodium, pair.publicKeyProtobuf(), data, signature));
        signature[40] ^= 4;
        assertFalse(sodium.accepts(signature, data, pair.publicKey()));
        assertFalse(Ed25519KeyPair.verify(sodium, pair.publicKeyProtobuf(), data, signature));
        assertFalse(Ed25519KeyPair.verify(BOUNCY_CASTLE_ONLY, pair.publicKeyProtobuf(), data, signature));
    }

    static Outcome outcome(SodiumEd25519 fast, Case c) {
        try {
            return Ed25519KeyPair.verify(fast, c.publicKeyProtobuf(), c.message(), c.signature())
                    ? Outcome.VALID : Outcome.INVALID;
        } catch (IllegalArgumentException e) {
            return Outcome.THROWS;
        }
    }
}
