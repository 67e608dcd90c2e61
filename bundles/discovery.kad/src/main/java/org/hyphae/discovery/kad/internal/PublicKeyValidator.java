package org.hyphae.discovery.kad.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.hyphae.discovery.InvalidRecordException;
import org.hyphae.discovery.RecordValidator;
import org.hyphae.identity.PeerId;

/**
 * The built-in {@code /pk} validator (as go- and js-libp2p have it): the value is a libp2p
 * {@code PublicKey} protobuf and the key is {@code /pk/<its multihash>}, the multihash taken as
 * for a peer id (identity for keys of at most 42 bytes such as Ed25519, else SHA-256): so the key
 * of an Ed25519 key is {@code /pk/} followed by the peer id's bytes.
 */
public final class PublicKeyValidator implements RecordValidator {

    static final byte[] PREFIX = "/pk/".getBytes(StandardCharsets.US_ASCII);

    /** The key under which a public key is published. */
    public static byte[] keyFor(byte[] publicKeyProtobuf) {
        byte[] mh = PeerId.fromPublicKeyProtobuf(publicKeyProtobuf).bytes();
        byte[] key = Arrays.copyOf(PREFIX, PREFIX.length + mh.length);
        System.arraycopy(mh, 0, key, PREFIX.length, mh.length);
        return key;
    }

    @Override
    public void validate(byte[] key, byte[] value) throws InvalidRecordException {
        if (key.length < PREFIX.length || !Arrays.equals(key, 0, PREFIX.length, PREFIX, 0, PREFIX.length)) {
            throw new InvalidRecordException("not a /pk/ key");
        }
        byte[] expected;
        try {
            expected = PeerId.fromPublicKeyProtobuf(value).bytes();
        } catch (RuntimeException e) {
            throw new InvalidRecordException("/pk/ record value is not a libp2p public key: " + e.getMessage());
        }
        if (!Arrays.equals(key, PREFIX.length, key.length, expected, 0, expected.length)) {
            throw new InvalidRecordException("/pk/ record key does not match the multihash of the public key");
        }
    }
}
