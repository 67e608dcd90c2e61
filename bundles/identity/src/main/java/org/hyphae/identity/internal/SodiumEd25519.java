package org.hyphae.identity.internal;

import java.io.File;
import java.lang.System.Logger.Level;
import java.util.HexFormat;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * libsodium's Ed25519 verification ({@code crypto_sign_verify_detached}) through JNA, 1.4-1.9x
 * BouncyCastle's speed here, when JNA and the system's libsodium are there. It is only a fast way to
 * say "valid": libsodium 1.0.18 accepts a subset of what BouncyCastle accepts (it also rejects
 * small-order and non-canonical points), so when it says no the caller asks BouncyCastle, whose
 * verdict is the rule every node applies (see {@link Ed25519KeyPair#verify}).
 *
 * <p>JNA is imported optionally: this class refers to it only through {@link Binding}, which is
 * loaded when the library is, so the bundle resolves and runs without it.
 */
final class SodiumEd25519 {

    /** System property; {@code false} turns the native path off (BouncyCastle alone). */
    static final String ENABLED_PROPERTY = "hyphae.ed25519.native";
    /** System property: the library's name or path for JNA; default {@value #DEFAULT_LIBRARY}. */
    static final String LIBRARY_PROPERTY = "hyphae.ed25519.library";
    /** JNA finds Debian's {@code libsodium.so.23} (package libsodium23) by this name. */
    static final String DEFAULT_LIBRARY = "sodium";

    private static final System.Logger LOG = System.getLogger(SodiumEd25519.class.getName());

    // RFC 8032 section 7.1, TEST 2 (one-byte message): checked at load, so a libsodium that does
    // not verify as expected is never used.
    private static final byte[] TEST_PUBLIC_KEY = HexFormat.of().parseHex(
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
    private static final byte[] TEST_MESSAGE = {0x72};
    private static final byte[] TEST_SIGNATURE = HexFormat.of().parseHex(
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
            + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");

    private final boolean loaded;
    private final String description;

    private SodiumEd25519(boolean loaded, String description) {
        this.loaded = loaded;
        this.description = description;
    }

    /** No native path; {@code reason} says why, for the log and {@code hyphae:id}. */
    static SodiumEd25519 unavailable(String reason) {
        return new SodiumEd25519(false, "BouncyCastle (" + reason + ")");
    }

    /** The process's verifier as the system properties choose it, logged once at INFO. */
    static SodiumEd25519 fromSystemProperties() {
        SodiumEd25519 chosen = load(System.getProperty(ENABLED_PROPERTY), System.getProperty(LIBRARY_PROPERTY));
        LOG.log(Level.INFO, "Ed25519 signatures verified by {0}", chosen.description);
        return chosen;
    }

    /**
     * Loads libsodium unless {@code enabled} is {@code "false"}.
     *
     * @param library the library name or path for JNA; null or blank means {@value #DEFAULT_LIBRARY}
     * @return the native verifier, or one that is unavailable and says why (JNA or the library missing,
     *     {@code sodium_init} failing, or the library failing the RFC 8032 self-test)
     */
    static SodiumEd25519 load(String enabled, String library) {
        if ("false".equalsIgnoreCase(enabled == null ? "" : enabled.strip())) {
            return unavailable("native verification off: -D" + ENABLED_PROPERTY + "=false");
        }
        String name = library == null || library.isBlank() ? DEFAULT_LIBRARY : library.strip();
        try {
            return new SodiumEd25519(true, Binding.bind(name));
        } catch (NoClassDefFoundError e) {
            return unavailable("JNA (com.sun.jna) is not available, so libsodium cannot be called: " + e.getMessage());
        } catch (UnsatisfiedLinkError e) {
            return unavailable("libsodium not loaded (" + name + ": " + firstLines(e.getMessage())
                    + "); on Debian install the package libsodium23");
        } catch (IllegalStateException e) {
            return unavailable(e.getMessage());
        }
    }

    /** Whether libsodium is in use. */
    boolean loaded() {
        return loaded;
    }

    /** What verifies signatures and, without libsodium, why not: for the log, {@code hyphae:id} and tests. */
    String description() {
        return description;
    }

    /**
     * True only if libsodium accepts the signature; false if it rejects it or is not loaded, which
     * decides nothing: the caller then asks BouncyCastle.
     */
    boolean accepts(byte[] signature, byte[] data, byte[] publicKey) {
        return loaded && Binding.crypto_sign_verify_detached(signature, data, data.length, publicKey) == 0;
    }

    /** JNA's message in one line: its first two (what it tried and the linker's answer), not the class path after. */
    private static String firstLines(String message) {
        if (message == null) {
            return "no message";
        }
        String joined = String.join(" ", message.strip().lines().map(String::strip).filter(l -> !l.isEmpty())
                .limit(2).toList());
        return joined.length() > 300 ? joined.substring(0, 300) + "..." : joined;
    }

    /**
     * JNA direct mapping (static natives bound to the library: no proxy and reflection per call as
     * with an interface mapping). Its class initialisation is where a missing JNA shows.
     */
    static final class Binding {

        private static boolean bound;

        private Binding() {
        }

        static native int sodium_init();

        static native String sodium_version_string();

        static native int crypto_sign_verify_detached(byte[] signature, byte[] message, long messageLength,
                byte[] publicKey);

        /** Binds the natives to the library once and checks it; returns the description. */
        static synchronized String bind(String name) {
            try {
                // Native's class initialisation loads JNA's own JNI part (jnidispatch).
                if (Native.POINTER_SIZE != 8 && Native.POINTER_SIZE != 4) {
                    throw new IllegalStateException("JNA reports a pointer size of " + Native.POINTER_SIZE);
                }
            } catch (UnsatisfiedLinkError | ExceptionInInitializerError e) {
                throw new IllegalStateException("JNA's native part (jnidispatch) did not load: " + e, e);
            }
            NativeLibrary library = NativeLibrary.getInstance(name, SodiumEd25519.class.getClassLoader());
            if (!bound) {
                Native.register(Binding.class, library);
                bound = true;
            }
            String version = sodium_version_string();
            if (sodium_init() < 0) {
                throw new IllegalStateException("libsodium " + version + ": sodium_init() failed");
            }
            byte[] broken = TEST_SIGNATURE.clone();
            broken[7] ^= 0x10;
            if (crypto_sign_verify_detached(TEST_SIGNATURE, TEST_MESSAGE, 1, TEST_PUBLIC_KEY) != 0
                    || crypto_sign_verify_detached(broken, TEST_MESSAGE, 1, TEST_PUBLIC_KEY) == 0) {
                throw new IllegalStateException("libsodium " + version + " failed the RFC 8032 self-test");
            }
            File file = library.getFile();
            return "libsodium " + version + " (" + (file == null ? name : file.getPath()) + ", through JNA "
                    + Native.VERSION + "); BouncyCastle decides what it rejects";
        }
    }
}
