package org.hyphae.discovery.kad.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import org.hyphae.discovery.InvalidRecordException;
import org.hyphae.discovery.RecordValidator;
import org.hyphae.transport.testkit.TestIdentity;

/**
 * A signed, versioned record for the tests (namespace {@code signed}): the key is
 * {@code /signed/<hex of the owner's public key protobuf>}, the value is a 64-byte Ed25519 signature
 * over the payload followed by the payload {@code v<sequence>}; {@code select} prefers the highest
 * sequence. Real signatures, so a forged or altered record fails as an IPNS record would.
 */
final class SignedTestValidator implements RecordValidator {

    static byte[] key(TestIdentity owner) {
        return ("/signed/" + HexFormat.of().formatHex(owner.publicKeyProtobuf())).getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] value(TestIdentity signer, long sequence) {
        byte[] payload = ("v" + sequence).getBytes(StandardCharsets.US_ASCII);
        byte[] sig = signer.sign(payload);
        byte[] out = Arrays.copyOf(sig, sig.length + payload.length);
        System.arraycopy(payload, 0, out, sig.length, payload.length);
        return out;
    }

    static long sequence(byte[] value) {
        return Long.parseLong(new String(value, 65, value.length - 65, StandardCharsets.US_ASCII));
    }

    @Override
    public void validate(byte[] key, byte[] value) throws InvalidRecordException {
        String k = new String(key, StandardCharsets.US_ASCII);
        if (!k.startsWith("/signed/")) {
            throw new InvalidRecordException("not a /signed/ key");
        }
        byte[] owner;
        try {
            owner = HexFormat.of().parseHex(k.substring("/signed/".length()));
        } catch (IllegalArgumentException e) {
            throw new InvalidRecordException("key names no public key");
        }
        if (value.length < 66 || value[64] != 'v') {
            throw new InvalidRecordException("record too short or not versioned (" + value.length + " bytes)");
        }
        byte[] sig = Arrays.copyOf(value, 64);
        byte[] payload = Arrays.copyOfRange(value, 64, value.length);
        boolean valid;
        try {
            valid = TestIdentity.fromSeedByte(0).verify(owner, payload, sig);
        } catch (RuntimeException e) {
            throw new InvalidRecordException("key names no usable public key: " + e.getMessage());
        }
        if (!valid) {
            throw new InvalidRecordException("bad signature: not signed by the key's owner");
        }
    }

    @Override
    public int select(byte[] key, List<byte[]> values) {
        int best = 0;
        for (int i = 1; i < values.size(); i++) {
            if (sequence(values.get(i)) > sequence(values.get(best))) {
                best = i;
            }
        }
        return best;
    }
}
