package org.hyphae.pubsub.gossipsub.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;

import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Multiaddr;

/**
 * Reads the addresses out of a signed peer record (libp2p RFC 0002 and 0003: a {@code Envelope}
 * with domain {@code libp2p-peer-record} and payload type 0x0301 around a {@code PeerRecord}), as
 * gossipsub v1.1 peer exchange carries them. The envelope's signature is checked and the record's
 * peer id must be the one it is offered for.
 */
final class SignedPeerRecord {

    private static final byte[] DOMAIN = "libp2p-peer-record".getBytes(StandardCharsets.UTF_8);
    /** Multicodec 0x0301 ("libp2p-peer-record") as an unsigned varint. */
    private static final byte[] PAYLOAD_TYPE = {(byte) 0x81, 0x06};

    private SignedPeerRecord() {
    }

    /**
     * @return the record's addresses, or an empty list if the envelope is malformed, signed by
     *     another key, of another type, or for another peer
     */
    static List<Multiaddr> addresses(byte[] envelope, PeerId expected, Identity verifier) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(envelope);
            byte[] publicKey = null;
            byte[] payloadType = null;
            byte[] payload = null;
            byte[] signature = null;
            int tag;
            while ((tag = in.readTag()) != 0) {
                switch (tag >>> 3) {
                    case 1 -> publicKey = in.readByteArray();
                    case 2 -> payloadType = in.readByteArray();
                    case 3 -> payload = in.readByteArray();
                    case 5 -> signature = in.readByteArray();
                    default -> in.skipField(tag);
                }
            }
            if (publicKey == null || payload == null || signature == null || !Arrays.equals(PAYLOAD_TYPE, payloadType)
                    || !PeerId.fromPublicKeyProtobuf(publicKey).equals(expected)) {
                return List.of();
            }
            ByteArrayOutputStream signed = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(signed);
            for (byte[] part : new byte[][] {DOMAIN, payloadType, payload}) {
                out.writeUInt32NoTag(part.length);
                out.writeRawBytes(part);
            }
            out.flush();
            if (!verifier.verify(publicKey, signed.toByteArray(), signature)) {
                return List.of();
            }
            CodedInputStream rec = CodedInputStream.newInstance(payload);
            byte[] peerId = null;
            List<Multiaddr> addresses = new ArrayList<>();
            while ((tag = rec.readTag()) != 0) {
                switch (tag >>> 3) {
                    case 1 -> peerId = rec.readByteArray();
                    case 3 -> {
                        CodedInputStream ai = CodedInputStream.newInstance(rec.readByteArray());
                        int t;
                        while ((t = ai.readTag()) != 0) {
                            if (t >>> 3 == 1) {
                                try {
                                    addresses.add(Multiaddr.decode(ai.readByteArray()));
                                } catch (IllegalArgumentException e) {
                                    // an address we cannot read: skip it, keep the others
                                }
                            } else {
                                ai.skipField(t);
                            }
                        }
                    }
                    default -> rec.skipField(tag);
                }
            }
            if (peerId == null || !PeerId.fromBytes(peerId).equals(expected)) {
                return List.of();
            }
            return addresses;
        } catch (IOException | IllegalArgumentException e) {
            return List.of();
        }
    }
}
