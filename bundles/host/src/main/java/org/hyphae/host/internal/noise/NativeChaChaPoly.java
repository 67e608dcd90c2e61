package org.hyphae.host.internal.noise;

/**
 * Whether Noise transport messages are sealed by libsodium (about 3x the JDK's ChaCha20-Poly1305 on
 * a CPU without AVX-512, where the JDK's Poly1305 is not intrinsified) or by the JDK. libsodium is
 * used when JNA and the system's libsodium load and {@code -Dhyphae.noise.native=false} is not
 * set; otherwise the JDK cipher, which gives the same bytes. Decided once per JVM (the host logs it).
 * This class names no JNA type, so it loads without JNA.
 */
final class NativeChaChaPoly {

    /** System property that switches libsodium off ({@code false}); on by default. */
    static final String PROPERTY = "hyphae.noise.native";

    private static final boolean AVAILABLE;
    private static final String DESCRIPTION;

    static {
        boolean available = false;
        String description;
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            description = "the JDK's (libsodium switched off by -D" + PROPERTY + "=false)";
        } else {
            try {
                description = "libsodium " + SodiumChaChaPoly.load() + "'s, through JNA";
                available = true;
            } catch (LinkageError e) {
                // NoClassDefFoundError: JNA is not installed; UnsatisfiedLinkError: no libsodium.
                description = "the JDK's (libsodium not loaded: " + (e instanceof NoClassDefFoundError
                        ? "JNA (com.sun.jna) is not installed" : e.getMessage()) + ")";
            } catch (RuntimeException e) {
                description = "the JDK's (libsodium not loaded: " + e + ")";
            }
        }
        AVAILABLE = available;
        DESCRIPTION = description;
    }

    private NativeChaChaPoly() {
    }

    /** libsodium's cipher for a key, or null when the JDK's is used. */
    static SodiumChaChaPoly create(byte[] key) {
        return AVAILABLE ? new SodiumChaChaPoly(key) : null;
    }

    /** Which cipher seals transport messages, and why, e.g. "libsodium 1.0.18's, through JNA". */
    static String description() {
        return DESCRIPTION;
    }
}
