package org.hyphae.discovery.kad.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.hyphae.discovery.InvalidRecordException;
import org.hyphae.discovery.RecordValidator;
import org.hyphae.identity.PeerId;
import org.hyphae.multiformats.Multihash;

/**
 * The built-in {@code /pk} validator (as go- and js-libp2p have it): the key is
 * {@code /pk/<sha2-256 multihash of the value>}, the value a libp2p {@code PublicKey} protobuf.
 */
public final class PublicKeyValidator implements RecordValidator {

    static final byte[] PREFIX = "/pk/".getBytes(StandardCharsets.US_ASCII);

    /** The key under which a public key is published. */
    public static byte[] keyFor(byte[] publicKeyProtobuf) {
        byte[] mh = Multihash.sha2_256(publicKeyProtobuf).bytes();
        byte[] key = Arrays.copyOf(PREFIX, PREFIX.length + mh.length);
        System.arraycopy(mh, 0, key, PREFIX.length, mh.length);
        return key;
    }

    @Override
    public void validate(byte[] key, byte[] value) throws InvalidRecordException {
        if (key.length < PREFIX.length || !Arrays.equals(key, 0, PREFIX.length, PREFIX, 0, PREFIX.length)) {
            throw new InvalidRecordException("not a /pk/ key");
        }
        try {
            PeerId.PublicKey.decode(value);
        } catch (RuntimeException e) {
            throw new InvalidRecordException("/pk/ record value is not a libp2p public key: " + e.getMessage());
        }
        byte[] expected = Multihash.sha2_256(value).bytes();
        if (!Arrays.equals(key, PREFIX.length, key.length, expected, 0, expected.length)) {
            throw new InvalidRecordException("/pk/ record key does not match the SHA-256 of the public key");
        }
    }
}
