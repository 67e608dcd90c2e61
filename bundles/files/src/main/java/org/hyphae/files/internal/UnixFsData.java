package org.hyphae.files.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;

/**
 * The UnixFS {@code Data} message (ipfs/specs UNIXFS.md), carried in a dag-pb node's Data field:
 * {@code Type = 1, Data = 2, filesize = 3, repeated blocksizes = 4, hashType = 5, fanout = 6,
 * mode = 7, mtime = 8}. Written as ipfs-unixfs writes it: fields in number order, {@code blocksizes}
 * unpacked (proto2), {@code filesize} absent for directories; mode and mtime are never written
 * (Hyphae imports no metadata, so its CIDs match an import without metadata).
 */
final class UnixFsData {

    static final int RAW = 0;
    static final int DIRECTORY = 1;
    static final int FILE = 2;
    static final int METADATA = 3;
    static final int SYMLINK = 4;
    static final int HAMT_SHARD = 5;

    /** {@code type}, {@code data} ({@code null} if absent), {@code filesize} (-1 if absent), {@code blocksizes}. */
    record Decoded(int type, byte[] data, long filesize, long[] blocksizes) {

        /** The file bytes this node stands for: declared filesize, or data plus blocksizes without one. */
        long contentSize() {
            if (filesize >= 0) {
                return filesize;
            }
            long sum = data == null ? 0 : data.length;
            for (long b : blocksizes) {
                sum += b;
            }
            return sum;
        }
    }

    private UnixFsData() {
    }

    static byte[] file(List<Long> blocksizes) {
        long filesize = 0;
        for (long b : blocksizes) {
            filesize += b;
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(8 + blocksizes.size() * 5);
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.writeUInt32(1, FILE);
            out.writeUInt64(3, filesize);
            for (long b : blocksizes) {
                out.writeUInt64(4, b);
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
    }

    static byte[] directory() {
        return new byte[] {0x08, DIRECTORY};
    }

    static Decoded decode(byte[] bytes) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        int type = -1;
        byte[] data = null;
        long filesize = -1;
        long[] blocksizes = new long[0];
        int count = 0;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            switch (tag) {
                case (1 << 3) | WireFormat.WIRETYPE_VARINT -> type = in.readEnum();
                case (2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> data = in.readByteArray();
                case (3 << 3) | WireFormat.WIRETYPE_VARINT -> {
                    filesize = in.readUInt64();
                    if (filesize < 0) {
                        throw new IOException("UnixFS: filesize over 2^63");
                    }
                }
                case (4 << 3) | WireFormat.WIRETYPE_VARINT -> {
                    blocksizes = append(blocksizes, count++, in.readUInt64());
                }
                case (4 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
                    int limit = in.pushLimit(in.readRawVarint32());
                    while (in.getBytesUntilLimit() > 0) {
                        blocksizes = append(blocksizes, count++, in.readUInt64());
                    }
                    in.popLimit(limit);
                }
                default -> {
                    if (!in.skipField(tag)) {
                        break;
                    }
                }
            }
        }
        if (type < RAW || type > HAMT_SHARD) {
            throw new IOException("UnixFS: missing or unknown Type " + type);
        }
        long[] exact = java.util.Arrays.copyOf(blocksizes, count);
        for (long b : exact) {
            if (b < 0) {
                throw new IOException("UnixFS: a blocksize over 2^63");
            }
        }
        return new Decoded(type, data, filesize, exact);
    }

    private static long[] append(long[] array, int index, long value) {
        long[] target = index < array.length ? array : java.util.Arrays.copyOf(array, Math.max(8, array.length * 2));
        target[index] = value;
        return target;
    }
}
