package org.hyphae.identity.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** How the native verifier is chosen, and what it says when it is not used. */
class SodiumEd25519Test {

    @Test
    void offWhenThePropertySaysFalse() {
        for (String off : new String[] {"false", "FALSE", " false "}) {
            SodiumEd25519 sodium = SodiumEd25519.load(off, null);
            assertFalse(sodium.loaded());
            assertEquals("BouncyCastle (native verification off: -Dhyphae.ed25519.native=false)", sodium.description());
            assertFalse(sodium.accepts(new byte[64], new byte[0], new byte[32]), "never says valid");
        }
    }

    @Test
    void aMissingLibraryIsNamedAndLeavesBouncyCastle() {
        SodiumEd25519 sodium = SodiumEd25519.load("true", "hyphae-no-such-sodium");
        assertFalse(sodium.loaded());
        String text = sodium.description();
        assertTrue(text.startsWith("BouncyCastle (libsodium not loaded (hyphae-no-such-sodium: "), text);
        assertTrue(text.contains("install the package libsodium23"), text);
        assertFalse(text.contains("\n"), "one line: " + text);
        Ed25519KeyPair pair = Ed25519KeyPair.generate();
        byte[] data = {1, 2, 3};
        assertTrue(Ed25519KeyPair.verify(sodium, pair.publicKeyProtobuf(), data, pair.sign(data)));
    }

    @Test
    void theSystemLibraryIsFoundByDefault() {
        SodiumEd25519 sodium = SodiumEd25519.load(null, " ");
        if (!sodium.loaded() && "true".equals(System.getenv("CI"))) {
            fail("CI=true but libsodium is not used: " + sodium.description());
        }
        Assumptions.assumeTrue(sodium.loaded(), sodium.description());
        String text = sodium.description();
        assertTrue(text.matches("libsodium 1\\.0\\.\\d+ \\(.*libsodium\\.so.*, through JNA 5\\.\\d+\\.\\d+\\); "
                + "BouncyCastle decides what it rejects"), text);
    }

    /** The process-wide choice (no system property here) is the native one where libsodium is. */
    @Test
    void theProcessUsesWhatTheDefaultLoadFinds() {
        assertEquals(SodiumEd25519.load(null, null).loaded(), Ed25519KeyPair.nativeVerifier());
        assertEquals(SodiumEd25519.load(null, null).description(), Ed25519KeyPair.verifier());
    }
}
