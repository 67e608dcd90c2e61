package org.hyphae.host.internal.noise;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;

/**
 * The libp2p Noise handshake payload, as in the spec's {@code payload.proto}:
 *
 * <pre>
 * message NoiseExtensions { repeated bytes webtransport_certhashes = 1; repeated string stream_muxers = 2; }
 * message NoiseHandshakePayload { bytes identity_key = 1; bytes identity_sig = 2; NoiseExtensions extensions = 4; }
 * </pre>
 *
 * Two byte fields and one optional nested message: read and written with protobuf-java's coded
 * streams rather than generated classes (no protoc step in the build for three fields). Unknown
 * fields are skipped, as protobuf requires.
 *
 * @param identityKey the libp2p {@code PublicKey} protobuf of the peer's identity key
 * @param identitySig the signature of {@code "noise-libp2p-static-key:" + static Noise key}
 * @param streamMuxers the peer's {@code stream_muxers} extension (informational here)
 */
public record NoiseHandshakePayload(byte[] identityKey, byte[] identitySig, List<String> streamMuxers) {

    public byte[] encode() {
        try {
            int size = CodedOutputStream.computeByteArraySize(1, identityKey)
                    + CodedOutputStream.computeByteArraySize(2, identitySig);
            byte[] out = new byte[size];
            CodedOutputStream o = CodedOutputStream.newInstance(out);
            o.writeByteArray(1, identityKey);
            o.writeByteArray(2, identitySig);
            o.checkNoSpaceLeft();
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @throws NoiseException if the bytes are not a payload with both identity fields
     */
    public static NoiseHandshakePayload decode(byte[] bytes) throws NoiseException {
        byte[] key = null;
        byte[] sig = null;
        List<String> muxers = new ArrayList<>();
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            int tag;
            while ((tag = in.readTag()) != 0) {
                switch (tag) {
                    case (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> key = in.readByteArray();
                    case (2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> sig = in.readByteArray();
                    case (4 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> readExtensions(in.readBytes(), muxers);
                    default -> in.skipField(tag);
                }
            }
        } catch (IOException e) {
            throw new NoiseException("malformed NoiseHandshakePayload: " + e.getMessage(), e);
        }
        if (key == null || key.length == 0) {
            throw new NoiseException("NoiseHandshakePayload has no identity_key");
        }
        if (sig == null || sig.length == 0) {
            throw new NoiseException("NoiseHandshakePayload has no identity_sig");
        }
        return new NoiseHandshakePayload(key, sig, List.copyOf(muxers));
    }

    private static void readExtensions(ByteString bytes, List<String> muxers) throws IOException {
        CodedInputStream in = bytes.newCodedInput();
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (tag == ((2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                muxers.add(in.readStringRequireUtf8());
            } else {
                in.skipField(tag);
            }
        }
    }
}
