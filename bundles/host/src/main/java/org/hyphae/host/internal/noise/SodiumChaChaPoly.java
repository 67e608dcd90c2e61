package org.hyphae.host.internal.noise;

import java.nio.ByteBuffer;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * libsodium's ChaCha20-Poly1305 (IETF: 96-bit nonce, as Noise's ChaChaPoly) through JNA's direct
 * mapping, for direct buffers. Only {@link NativeChaChaPoly} touches this class, so that a node
 * without JNA never links it. Not thread-safe: one per direction of a connection, as
 * {@link CipherState}.
 */
final class SodiumChaChaPoly {

    private static boolean registered;

    private final Memory key = new Memory(32);
    private final Memory nonce = new Memory(12);
    /** The nonce's bytes as a buffer: Noise's ChaChaPoly nonce is 4 zero bytes, then the counter little-endian. */
    private final ByteBuffer nonceBytes = nonce.getByteBuffer(0, 12).order(java.nio.ByteOrder.LITTLE_ENDIAN);

    SodiumChaChaPoly(byte[] key) {
        this.key.write(0, key, 0, 32);
        this.nonce.clear();
    }

    /** Binds the natives to the system's libsodium and initialises it; returns its version. */
    static synchronized String load() {
        if (!registered) {
            NativeLibrary lib = NativeLibrary.getInstance("sodium");
            Native.register(SodiumChaChaPoly.class, lib);
            if (sodium_init() < 0) {
                throw new IllegalStateException("sodium_init failed");
            }
            registered = true;
        }
        return sodium_version_string();
    }

    /** Seals {@code length} bytes at {@code in} into {@code length + 16} bytes at {@code out}. */
    void seal(long n, ByteBuffer in, int length, ByteBuffer out) {
        setNonce(n);
        crypto_aead_chacha20poly1305_ietf_encrypt(address(out), null, address(in), length, null, 0, null, nonce, key);
    }

    /** Opens the {@code length}-byte ciphertext at {@code in} into {@code out}; false if its tag is wrong. */
    boolean open(long n, ByteBuffer in, int length, ByteBuffer out) {
        setNonce(n);
        return crypto_aead_chacha20poly1305_ietf_decrypt(address(out), null, null, address(in), length, null, 0, nonce, key) == 0;
    }

    private void setNonce(long n) {
        nonceBytes.putLong(4, n);
    }

    /** The address of a direct buffer's position (JNA's pointer is to the buffer's start). */
    private static Pointer address(ByteBuffer direct) {
        return Native.getDirectBufferPointer(direct).share(direct.position());
    }

    private static native int sodium_init();

    private static native String sodium_version_string();

    private static native int crypto_aead_chacha20poly1305_ietf_encrypt(Pointer c, Pointer clen, Pointer m, long mlen,
            Pointer ad, long adlen, Pointer nsec, Pointer npub, Pointer k);

    private static native int crypto_aead_chacha20poly1305_ietf_decrypt(Pointer m, Pointer mlen, Pointer nsec, Pointer c,
            long clen, Pointer ad, long adlen, Pointer npub, Pointer k);
}
