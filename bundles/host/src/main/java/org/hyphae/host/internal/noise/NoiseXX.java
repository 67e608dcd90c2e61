package org.hyphae.host.internal.noise;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * The Noise {@code XX} handshake state machine for {@code Noise_XX_25519_ChaChaPoly_SHA256} with
 * an empty prologue (the Noise spec's HandshakeState and SymmetricState, sections 5.2 and 5.3):
 *
 * <pre>
 * -> e
 * <- e, ee, s, es
 * -> s, se
 * </pre>
 *
 * Messages are whole byte arrays without the 2-byte length prefix; payloads are opaque here. JDK
 * SHA-256 and HmacSHA256 (several times faster than BouncyCastle's), BouncyCastle X25519.
 */
public final class NoiseXX {

    static final byte[] PROTOCOL_NAME = "Noise_XX_25519_ChaChaPoly_SHA256".getBytes(StandardCharsets.US_ASCII);
    static final int DH_LENGTH = X25519.POINT_SIZE;

    private final boolean initiator;
    private final NoiseStaticKey s;
    private final SecureRandom random;
    private final byte[] e = new byte[X25519.SCALAR_SIZE];
    private final byte[] ePublic = new byte[X25519.POINT_SIZE];
    private byte[] re;
    private byte[] rs;
    private byte[] ck;
    private byte[] h;
    private CipherState cs;
    private final MessageDigest sha256;
    private final Mac hmac;
    private int step;

    public NoiseXX(boolean initiator, NoiseStaticKey staticKey, SecureRandom random) {
        this.initiator = initiator;
        this.s = staticKey;
        this.random = random;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
            this.hmac = Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("this JDK lacks SHA-256 or HmacSHA256", ex);
        }
        // The name is exactly HASHLEN bytes, so h is the name itself.
        h = PROTOCOL_NAME.clone();
        ck = h.clone();
        mixHash(new byte[0]); // the empty prologue
    }

    public boolean isInitiator() {
        return initiator;
    }

    /** The peer's static Noise key, once received. */
    public byte[] remoteStaticKey() {
        return rs == null ? null : rs.clone();
    }

    // ---- messages ----------------------------------------------------------------------------

    /** Initiator, message 1: {@code -> e} with an empty payload. */
    public byte[] writeMessage1() throws NoiseException {
        expect(true, 0);
        generateEphemeral();
        mixHash(ePublic);
        byte[] payload = encryptAndHash(new byte[0]);
        return concat(ePublic, payload);
    }

    /** Responder, message 1. @return the payload (empty from libp2p peers; not trusted) */
    public byte[] readMessage1(byte[] message) throws NoiseException {
        expect(false, 0);
        if (message.length < DH_LENGTH) {
            throw new NoiseException("handshake message 1 is " + message.length + " bytes, shorter than a key");
        }
        re = Arrays.copyOfRange(message, 0, DH_LENGTH);
        mixHash(re);
        return decryptAndHash(Arrays.copyOfRange(message, DH_LENGTH, message.length));
    }

    /** Responder, message 2: {@code <- e, ee, s, es} with this node's identity payload. */
    public byte[] writeMessage2() throws NoiseException {
        expect(false, 1);
        generateEphemeral();
        mixHash(ePublic);
        mixKey(dh(e, re));
        byte[] encryptedS = encryptAndHash(s.publicKeyUnsafe());
        mixKey(dh(s.privateKey(), re));
        byte[] payload = encryptAndHash(s.payload());
        return concat(ePublic, encryptedS, payload);
    }

    /** Initiator, message 2. @return the responder's identity payload */
    public byte[] readMessage2(byte[] message) throws NoiseException {
        expect(true, 1);
        int minimum = DH_LENGTH + DH_LENGTH + CipherState.TAG_LENGTH + CipherState.TAG_LENGTH;
        if (message.length < minimum) {
            throw new NoiseException("handshake message 2 is " + message.length + " bytes, less than " + minimum);
        }
        re = Arrays.copyOfRange(message, 0, DH_LENGTH);
        mixHash(re);
        mixKey(dh(e, re));
        rs = decryptAndHash(Arrays.copyOfRange(message, DH_LENGTH, 2 * DH_LENGTH + CipherState.TAG_LENGTH));
        mixKey(dh(e, rs));
        return decryptAndHash(Arrays.copyOfRange(message, 2 * DH_LENGTH + CipherState.TAG_LENGTH, message.length));
    }

    /** Initiator, message 3: {@code -> s, se} with this node's identity payload. */
    public byte[] writeMessage3() throws NoiseException {
        expect(true, 2);
        byte[] encryptedS = encryptAndHash(s.publicKeyUnsafe());
        mixKey(dh(s.privateKey(), re));
        byte[] payload = encryptAndHash(s.payload());
        return concat(encryptedS, payload);
    }

    /** Responder, message 3. @return the initiator's identity payload */
    public byte[] readMessage3(byte[] message) throws NoiseException {
        expect(false, 2);
        int minimum = DH_LENGTH + 2 * CipherState.TAG_LENGTH;
        if (message.length < minimum) {
            throw new NoiseException("handshake message 3 is " + message.length + " bytes, less than " + minimum);
        }
        rs = decryptAndHash(Arrays.copyOfRange(message, 0, DH_LENGTH + CipherState.TAG_LENGTH));
        mixKey(dh(e, rs));
        return decryptAndHash(Arrays.copyOfRange(message, DH_LENGTH + CipherState.TAG_LENGTH, message.length));
    }

    /**
     * Splits into the transport cipher states once all three messages are through.
     *
     * @return {@code [send, receive]} for this side
     */
    public CipherState[] split() {
        if (step != 3) {
            throw new IllegalStateException("handshake not finished");
        }
        byte[][] keys = hkdf(ck, new byte[0]);
        CipherState c1 = new CipherState(keys[0]);
        CipherState c2 = new CipherState(keys[1]);
        Arrays.fill(e, (byte) 0);
        return initiator ? new CipherState[] {c1, c2} : new CipherState[] {c2, c1};
    }

    /** The handshake hash, identical on both sides after the handshake (channel binding). */
    public byte[] handshakeHash() {
        return h.clone();
    }

    // ---- SymmetricState ----------------------------------------------------------------------

    private void expect(boolean asInitiator, int atStep) {
        if (initiator != asInitiator || step != atStep) {
            throw new IllegalStateException("out-of-order handshake call at step " + step);
        }
        step++;
    }

    private void generateEphemeral() {
        X25519.generatePrivateKey(random, e);
        X25519.generatePublicKey(e, 0, ePublic, 0);
    }

    private static byte[] dh(byte[] privateKey, byte[] publicKey) throws NoiseException {
        byte[] shared = new byte[X25519.POINT_SIZE];
        if (!X25519.calculateAgreement(privateKey, 0, publicKey, 0, shared, 0)) {
            throw new NoiseException("peer sent a low-order X25519 key (all-zero shared secret)");
        }
        return shared;
    }

    private void mixHash(byte[] data) {
        sha256.update(h);
        sha256.update(data);
        h = sha256.digest();
    }

    private void mixKey(byte[] ikm) {
        byte[][] out = hkdf(ck, ikm);
        ck = out[0];
        cs = new CipherState(out[1]);
    }

    private byte[] encryptAndHash(byte[] plaintext) throws NoiseException {
        byte[] c = cs == null ? plaintext : cs.encrypt(h, plaintext);
        mixHash(c);
        return c;
    }

    private byte[] decryptAndHash(byte[] ciphertext) throws NoiseException {
        byte[] p = cs == null ? ciphertext : cs.decrypt(h, ciphertext);
        mixHash(ciphertext);
        return p;
    }

    private byte[][] hkdf(byte[] chainingKey, byte[] ikm) {
        try {
            hmac.init(new SecretKeySpec(chainingKey, "HmacSHA256"));
            byte[] temp = hmac.doFinal(ikm);
            hmac.init(new SecretKeySpec(temp, "HmacSHA256"));
            byte[] out1 = hmac.doFinal(new byte[] {1});
            hmac.update(out1);
            byte[] out2 = hmac.doFinal(new byte[] {2});
            return new byte[][] {out1, out2};
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int pos = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, pos, p.length);
            pos += p.length;
        }
        return out;
    }
}
