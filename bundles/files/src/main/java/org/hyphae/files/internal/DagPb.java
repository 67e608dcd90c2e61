package org.hyphae.files.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import org.hyphae.multiformats.Cid;

/**
 * The dag-pb codec (ipfs/specs, IPLD dag-pb): {@code PBNode { repeated PBLink Links = 2; optional
 * bytes Data = 1; }} and {@code PBLink { optional bytes Hash = 1; optional string Name = 2; optional
 * uint64 Tsize = 3; }}. Encoded as the spec's canonical form requires (and as @ipld/dag-pb writes):
 * links first, then data; within a link Hash, Name, Tsize in that order. Decoding is strict: unknown
 * fields, a link without a hash, or fields out of order are errors.
 */
final class DagPb {

    private DagPb() {
    }

    /** A link: the child's CID, its name in a folder (empty in a file), its cumulative DAG size. */
    record Link(Cid hash, String name, long tsize) {
    }

    /** A node: its links and its data ({@code null} when absent). */
    record Node(List<Link> links, byte[] data) {
    }

    static byte[] encode(List<Link> links, byte[] data) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + links.size() * 48);
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            for (Link link : links) {
                out.writeByteArray(2, encodeLink(link));
            }
            if (data != null) {
                out.writeByteArray(1, data);
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
    }

    private static byte[] encodeLink(Link link) throws IOException {
        byte[] name = link.name().getBytes(StandardCharsets.UTF_8);
        byte[] hash = link.hash().bytes();
        byte[] result = new byte[CodedOutputStream.computeByteArraySize(1, hash)
                + CodedOutputStream.computeByteArraySize(2, name)
                + CodedOutputStream.computeUInt64Size(3, link.tsize())];
        CodedOutputStream out = CodedOutputStream.newInstance(result);
        out.writeByteArray(1, hash);
        out.writeByteArray(2, name);
        out.writeUInt64(3, link.tsize());
        out.checkNoSpaceLeft();
        return result;
    }

    /**
     * Decodes a dag-pb block.
     *
     * @throws IOException with a message saying what is wrong (the caller adds the CID)
     */
    static Node decode(byte[] block) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(block);
        List<Link> links = new ArrayList<>();
        byte[] data = null;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            if (tag == ((2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                if (data != null) {
                    throw new IOException("dag-pb: a link after the data field");
                }
                links.add(decodeLink(in.readByteArray()));
            } else if (tag == ((1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                if (data != null) {
                    throw new IOException("dag-pb: a second data field");
                }
                data = in.readByteArray();
            } else {
                throw new IOException("dag-pb: unexpected field tag " + tag + " in PBNode");
            }
        }
        return new Node(List.copyOf(links), data);
    }

    private static Link decodeLink(byte[] bytes) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        Cid hash = null;
        String name = "";
        long tsize = -1;
        int last = 0;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            int field = WireFormat.getTagFieldNumber(tag);
            if (field <= last) {
                throw new IOException("dag-pb: PBLink fields out of order or repeated");
            }
            last = field;
            if (tag == ((1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                try {
                    hash = Cid.decode(in.readByteArray());
                } catch (IllegalArgumentException e) {
                    throw new IOException("dag-pb: a link's hash is not a CID: " + e.getMessage(), e);
                }
            } else if (tag == ((2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                name = in.readStringRequireUtf8();
            } else if (tag == ((3 << 3) | WireFormat.WIRETYPE_VARINT)) {
                tsize = in.readUInt64();
                if (tsize < 0) {
                    throw new IOException("dag-pb: a link's Tsize is over 2^63");
                }
            } else {
                throw new IOException("dag-pb: unexpected field tag " + tag + " in PBLink");
            }
        }
        if (hash == null) {
            throw new IOException("dag-pb: a link without a hash");
        }
        return new Link(hash, name, tsize);
    }
}
