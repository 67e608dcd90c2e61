package org.hyphae.host.internal.noise;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import io.netty.buffer.ByteBuf;

/**
 * A Noise CipherState for ChaChaPoly: one key, one 64-bit counter nonce, and one reused JDK
 * {@code ChaCha20-Poly1305} {@link Cipher} (Java 25's is intrinsified and about 12x Java 17's).
 * Transport messages in direct buffers go through libsodium instead where it is loaded
 * ({@link NativeChaChaPoly}); both give the same bytes. Not thread-safe: each direction of a
 * connection has its own, used on the event loop.
 */
public final class CipherState {

    /** Length of the Poly1305 tag that each ciphertext carries. */
    public static final int TAG_LENGTH = 16;
    /** Noise reserves the nonce 2^64-1; reaching it means the connection must end. */
    private static final long MAX_NONCE = -1L;

    private final SecretKeySpec key;
    private final Cipher cipher;
    private final byte[] nonce = new byte[12];
    /** libsodium's cipher for this key, or null where the JDK's is used for everything. */
    private final SodiumChaChaPoly sodium;
    /** Where bytes that are not in one direct buffer are copied for libsodium; made on first need. */
    private ByteBuffer scratch;
    private long n;

    public CipherState(byte[] key) {
        this(key, true);
    }

    /** A state that uses libsodium if {@code allowNative} and it is loaded (tests compare the two). */
    CipherState(byte[] key, boolean allowNative) {
        if (key.length != 32) {
            throw new IllegalArgumentException("ChaChaPoly key must be 32 bytes");
        }
        this.key = new SecretKeySpec(key, "ChaCha20");
        try {
            this.cipher = Cipher.getInstance("ChaCha20-Poly1305");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no ChaCha20-Poly1305 cipher", e);
        }
        this.sodium = allowNative ? NativeChaChaPoly.create(key) : null;
    }

    /**
     * Whether transport messages should come in, and be written to, direct buffers: libsodium
     * reads and writes native memory, so heap buffers would cost a copy each way.
     */
    public boolean prefersDirectBuffers() {
        return sodium != null;
    }

    /** Which cipher seals transport messages, for the start-up log and the shell. */
    public static String implementation() {
        return NativeChaChaPoly.description();
    }

    /**
     * The bytes as one direct buffer for libsodium: the buffer's own memory where it is one direct
     * piece (what the socket reads into), else a copy in this state's scratch buffer (a copy costs a
     * tenth of sealing the bytes).
     */
    private ByteBuffer direct(ByteBuf in, int index, int length) {
        if (in.nioBufferCount() == 1) {
            ByteBuffer src = in.nioBuffer(index, length);
            if (src.isDirect()) {
                return src;
            }
        }
        if (scratch == null) {
            scratch = ByteBuffer.allocateDirect(65535);
        }
        ByteBuffer copy = scratch.clear().limit(length);
        in.getBytes(index, copy);
        return copy.flip();
    }

    private void checkNonce() throws NoiseException {
        if (n == MAX_NONCE) {
            throw new NoiseException("nonce exhausted after 2^64-1 messages; the connection must be closed");
        }
    }

    /** The next nonce to be used (for tests). */
    long nonce() {
        return n;
    }

    /** Sets the next nonce (for tests of nonce exhaustion). */
    void nonce(long value) {
        n = value;
    }

    private void init(int mode, byte[] ad) throws NoiseException, GeneralSecurityException {
        checkNonce();
        long v = n;
        for (int i = 4; i < 12; i++) {
            nonce[i] = (byte) v;
            v >>>= 8;
        }
        cipher.init(mode, key, new IvParameterSpec(nonce));
        if (ad != null && ad.length > 0) {
            cipher.updateAAD(ad);
        }
        n++;
    }

    /** Encrypts a whole handshake payload with associated data {@code ad}. */
    public byte[] encrypt(byte[] ad, byte[] plaintext) throws NoiseException {
        try {
            init(Cipher.ENCRYPT_MODE, ad);
            return cipher.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new NoiseException("encryption failed: " + e, e);
        }
    }

    /** Decrypts a whole handshake payload with associated data {@code ad}. */
    public byte[] decrypt(byte[] ad, byte[] ciphertext) throws NoiseException {
        try {
            init(Cipher.DECRYPT_MODE, ad);
            return cipher.doFinal(ciphertext);
        } catch (GeneralSecurityException e) {
            throw new NoiseException("decryption failed (" + e.getClass().getSimpleName()
                    + "): the peer's key or message is not what Noise expects", e);
        }
    }

    /**
     * Encrypts {@code length} bytes of {@code in} at {@code index} straight into {@code out} at its
     * writer index (which advances by {@code length + 16}); works on each component of a composite
     * buffer without merging it.
     */
    public void encrypt(ByteBuf in, int index, int length, ByteBuf out) throws NoiseException {
        out.ensureWritable(length + TAG_LENGTH);
        if (sodium != null && out.isDirect()) {
            checkNonce();
            sodium.seal(n++, direct(in, index, length), length, out.nioBuffer(out.writerIndex(), length + TAG_LENGTH));
            out.writerIndex(out.writerIndex() + length + TAG_LENGTH);
            return;
        }
        try {
            init(Cipher.ENCRYPT_MODE, null);
            ByteBuffer dst = out.nioBuffer(out.writerIndex(), length + TAG_LENGTH);
            if (in.nioBufferCount() == 1) {
                cipher.doFinal(in.nioBuffer(index, length), dst);
            } else {
                ByteBuffer[] parts = in.nioBuffers(index, length);
                for (int i = 0; i < parts.length - 1; i++) {
                    cipher.update(parts[i], dst);
                }
                cipher.doFinal(parts.length == 0 ? ByteBuffer.allocate(0) : parts[parts.length - 1], dst);
            }
            if (dst.hasRemaining()) {
                throw new IllegalStateException("cipher wrote " + dst.position() + " bytes, expected "
                        + (length + TAG_LENGTH));
            }
        } catch (GeneralSecurityException e) {
            throw new NoiseException("encryption failed: " + e, e);
        }
        out.writerIndex(out.writerIndex() + length + TAG_LENGTH);
    }

    /**
     * Decrypts the {@code length}-byte ciphertext of {@code in} at {@code index} into {@code out}
     * at its writer index (which advances by {@code length - 16}).
     *
     * @throws NoiseException if the tag does not verify
     */
    public void decrypt(ByteBuf in, int index, int length, ByteBuf out) throws NoiseException {
        int plain = length - TAG_LENGTH;
        out.ensureWritable(plain);
        if (sodium != null && out.isDirect()) {
            checkNonce();
            if (!sodium.open(n++, direct(in, index, length), length, out.nioBuffer(out.writerIndex(), plain))) {
                throw new NoiseException("decryption of a " + length + "-byte transport message failed (AEADBadTagException)");
            }
            out.writerIndex(out.writerIndex() + plain);
            return;
        }
        try {
            init(Cipher.DECRYPT_MODE, null);
            int written = cipher.doFinal(in.nioBuffer(index, length), out.nioBuffer(out.writerIndex(), plain));
            if (written != plain) {
                throw new IllegalStateException("cipher wrote " + written + " bytes, expected " + plain);
            }
        } catch (GeneralSecurityException e) {
            throw new NoiseException("decryption of a " + length + "-byte transport message failed ("
                    + e.getClass().getSimpleName() + ")", e);
        }
        out.writerIndex(out.writerIndex() + plain);
    }
}
