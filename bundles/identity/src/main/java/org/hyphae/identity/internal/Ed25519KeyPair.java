package org.hyphae.identity.internal;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.hyphae.identity.KeyType;
import org.hyphae.identity.PeerId;

/**
 * An Ed25519 key pair (BouncyCastle: about 25x the JDK's signing speed here) with the libp2p
 * protobuf encodings of both halves.
 */
public final class Ed25519KeyPair {

    /** Length of the libp2p {@code PrivateKey} protobuf for Ed25519: 4 header bytes + seed + public key. */
    static final int PRIVATE_KEY_PROTOBUF_LENGTH = 4 + Ed25519.SECRET_KEY_SIZE + Ed25519.PUBLIC_KEY_SIZE;
    private static final byte FIELD_TYPE = 0x08;
    private static final byte FIELD_DATA = 0x12;

    /** Most decoded public keys kept; past it the map starts again (a peer cycling keys only costs the decoding). */
    static final int MAX_DECODED_KEYS = 16_384;
    /**
     * Public keys already decoded, by their {@code PublicKey} protobuf: decoding one is a point
     * decompression (a field exponentiation), about a tenth of a verification, and the same
     * senders' keys come back with every transaction and message they sign.
     */
    private static final Map<ByteBuffer, DecodedKey> DECODED = new ConcurrentHashMap<>();

    /**
     * libsodium when it is there, chosen once per process (system properties
     * {@code hyphae.ed25519.native}, {@code hyphae.ed25519.library}) and logged at INFO.
     */
    private static final SodiumEd25519 NATIVE = SodiumEd25519.fromSystemProperties();
    /** BouncyCastle alone: the rule, for measuring the native path against it. */
    private static final SodiumEd25519 NO_NATIVE = SodiumEd25519.unavailable("for comparison");

    /** A public key decoded once: its raw bytes for libsodium, its point for BouncyCastle. */
    private record DecodedKey(byte[] raw, Ed25519PublicKeyParameters parameters) {
    }

    private final Ed25519PrivateKeyParameters privateKey;
    private final byte[] publicKey;
    private final PeerId peerId;

    private Ed25519KeyPair(Ed25519PrivateKeyParameters privateKey) {
        this.privateKey = privateKey;
        this.publicKey = privateKey.generatePublicKey().getEncoded();
        this.peerId = PeerId.fromEd25519PublicKey(publicKey);
    }

    /** A new key pair from a strong random source. */
    public static Ed25519KeyPair generate() {
        return new Ed25519KeyPair(new Ed25519PrivateKeyParameters(new SecureRandom()));
    }

    /** The key pair for a 32-byte Ed25519 seed (the RFC 8032 private key). */
    public static Ed25519KeyPair fromSeed(byte[] seed) {
        if (seed.length != Ed25519.SECRET_KEY_SIZE) {
            throw new IllegalArgumentException("Ed25519 seed must be 32 bytes, got " + seed.length);
        }
        return new Ed25519KeyPair(new Ed25519PrivateKeyParameters(seed, 0));
    }

    /**
     * Reads the libp2p {@code PrivateKey} protobuf: {@code Type=Ed25519 (1)} and {@code Data} of the
     * 32-byte seed followed by the 32-byte public key, as js-libp2p and kubo write it.
     *
     * @throws InvalidKeyException naming what is wrong: not that protobuf, another key type, a length
     *     that does not fit, or a public key that does not belong to the seed (corruption)
     */
    public static Ed25519KeyPair fromPrivateKeyProtobuf(byte[] encoded) throws InvalidKeyException {
        if (encoded.length == 0) {
            throw new InvalidKeyException("empty (0 bytes)");
        }
        if (encoded.length < 2 || encoded[0] != FIELD_TYPE) {
            throw new InvalidKeyException("not a libp2p PrivateKey protobuf (first bytes "
                    + hex(Arrays.copyOf(encoded, Math.min(4, encoded.length))) + ")");
        }
        int type = encoded[1];
        if (type != KeyType.ED25519.number()) {
            KeyType known = knownType(type);
            throw new InvalidKeyException("holds a " + (known == null ? "unknown (" + type + ")" : known.name())
                    + " key; Hyphae identities are Ed25519");
        }
        if (encoded.length < PRIVATE_KEY_PROTOBUF_LENGTH) {
            throw new InvalidKeyException("truncated: " + encoded.length + " bytes, an Ed25519 PrivateKey has "
                    + PRIVATE_KEY_PROTOBUF_LENGTH);
        }
        if (encoded[2] != FIELD_DATA || (encoded[3] & 0xff) != Ed25519.SECRET_KEY_SIZE + Ed25519.PUBLIC_KEY_SIZE) {
            throw new InvalidKeyException("malformed Ed25519 PrivateKey: data field header " + hex(
                    Arrays.copyOfRange(encoded, 2, 4)) + ", expected 1240");
        }
        if (encoded.length > PRIVATE_KEY_PROTOBUF_LENGTH) {
            throw new InvalidKeyException("has " + (encoded.length - PRIVATE_KEY_PROTOBUF_LENGTH)
                    + " unexpected trailing bytes after the key");
        }
        Ed25519KeyPair pair = fromSeed(Arrays.copyOfRange(encoded, 4, 4 + Ed25519.SECRET_KEY_SIZE));
        byte[] storedPublic = Arrays.copyOfRange(encoded, 4 + Ed25519.SECRET_KEY_SIZE, encoded.length);
        if (!Arrays.equals(storedPublic, pair.publicKey)) {
            throw new InvalidKeyException("corrupt: the stored public key does not belong to the private key");
        }
        return pair;
    }

    private static KeyType knownType(int number) {
        try {
            return KeyType.forNumber(number);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The libp2p {@code PrivateKey} protobuf of this pair (the identity.key file format). */
    public byte[] privateKeyProtobuf() {
        byte[] out = new byte[PRIVATE_KEY_PROTOBUF_LENGTH];
        out[0] = FIELD_TYPE;
        out[1] = (byte) KeyType.ED25519.number();
        out[2] = FIELD_DATA;
        out[3] = (byte) (Ed25519.SECRET_KEY_SIZE + Ed25519.PUBLIC_KEY_SIZE);
        privateKey.encode(out, 4);
        System.arraycopy(publicKey, 0, out, 4 + Ed25519.SECRET_KEY_SIZE, Ed25519.PUBLIC_KEY_SIZE);
        return out;
    }

    /** The raw 32-byte public key. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The libp2p {@code PublicKey} protobuf of the public key. */
    public byte[] publicKeyProtobuf() {
        return new PeerId.PublicKey(KeyType.ED25519, publicKey).encode();
    }

    /** The peer id of this pair's public key. */
    public PeerId peerId() {
        return peerId;
    }

    /** A 64-byte Ed25519 signature (pure Ed25519, no context) over {@code data}. */
    public byte[] sign(byte[] data) {
        byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
        privateKey.sign(Ed25519.Algorithm.Ed25519, null, data, 0, data.length, signature, 0);
        return signature;
    }

    /**
     * Verifies an Ed25519 signature by the key in a libp2p {@code PublicKey} protobuf. The verdict
     * is BouncyCastle's (every node must accept exactly the same signatures); libsodium, where it is
     * loaded, only makes valid signatures cheaper: what it accepts BouncyCastle accepts too, and what
     * it rejects goes to BouncyCastle.
     *
     * @return false for a bad signature and for key types other than Ed25519
     * @throws IllegalArgumentException if the key bytes are not a well-formed {@code PublicKey}
     */
    public static boolean verify(byte[] publicKeyProtobuf, byte[] data, byte[] signature) {
        return verify(NATIVE, publicKeyProtobuf, data, signature);
    }

    /**
     * The same verdict as {@link #verify} from BouncyCastle alone, without the native path: for
     * benchmarks that measure the two in one run.
     */
    public static boolean verifyWithBouncyCastle(byte[] publicKeyProtobuf, byte[] data, byte[] signature) {
        return verify(NO_NATIVE, publicKeyProtobuf, data, signature);
    }

    /** Which verifier {@link #verify} uses and, without libsodium, why: for {@code hyphae:id} and logs. */
    public static String verifier() {
        return NATIVE.description();
    }

    /** Whether {@link #verify} tries libsodium first. */
    public static boolean nativeVerifier() {
        return NATIVE.loaded();
    }

    static boolean verify(SodiumEd25519 fast, byte[] publicKeyProtobuf, byte[] data, byte[] signature) {
        if (signature.length != Ed25519.SIGNATURE_SIZE) {
            PeerId.PublicKey.decode(publicKeyProtobuf); // a malformed key still throws
            return false;
        }
        DecodedKey key = DECODED.get(ByteBuffer.wrap(publicKeyProtobuf));
        if (key == null) {
            PeerId.PublicKey decoded = PeerId.PublicKey.decode(publicKeyProtobuf);
            if (decoded.type() != KeyType.ED25519) {
                return false;
            }
            byte[] raw = decoded.data();
            // Throws IllegalArgumentException for bytes that are no point of the curve.
            key = new DecodedKey(raw, new Ed25519PublicKeyParameters(raw, 0));
            if (DECODED.size() >= MAX_DECODED_KEYS) {
                DECODED.clear();
            }
            // A copy as the map's key: the caller may reuse its array.
            DECODED.put(ByteBuffer.wrap(publicKeyProtobuf.clone()), key);
        }
        if (fast.accepts(signature, data, key.raw())) {
            return true;
        }
        return key.parameters().verify(Ed25519.Algorithm.Ed25519, null, data, 0, data.length, signature, 0);
    }

    static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }
}
