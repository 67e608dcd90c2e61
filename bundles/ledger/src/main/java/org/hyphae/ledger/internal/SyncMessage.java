package org.hyphae.ledger.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.hyphae.ledger.Hash;

/**
 * {@code /hyphae/chain/sync/1.0.0}: one request and one response per stream, each a
 * length-prefixed message. Requests start with a type byte:
 * <ul>
 * <li>{@code 1 STATUS}: answered by {@code 32 genesis, u64 height, 32 head, u64 weight}
 * <li>{@code 2 HEADERS u64 from, u32 count}: the canonical headers from {@code from}, at most
 *     {@value #MAX_HEADERS}, as {@code u32 n, n * (u32 length, header)}
 * <li>{@code 3 BODIES u32 n, n * 32 hash}: at most {@value #MAX_BODIES} block bodies, as
 *     {@code u32 n, n * (u32 length, body)}, an empty entry for a block the peer does not have
 * </ul>
 */
final class SyncMessage {

    static final String PROTOCOL = "/hyphae/chain/sync/1.0.0";
    static final int STATUS = 1;
    static final int HEADERS = 2;
    static final int BODIES = 3;
    static final int MAX_HEADERS = 512;
    static final int MAX_BODIES = 64;
    static final int MAX_REQUEST = 1 + 4 + MAX_BODIES * 32;
    static final int MAX_RESPONSE = 16 << 20;

    /** A peer's chain, as its STATUS answer tells. */
    record Status(Hash genesis, long height, Hash head, long weight) {
        byte[] encode() {
            return ByteBuffer.allocate(32 + 8 + 32 + 8).put(genesis.bytes()).putLong(height).put(head.bytes()).putLong(weight).array();
        }

        static Status decode(byte[] b) {
            if (b.length != 80) {
                throw new IllegalArgumentException("status response is " + b.length + " bytes, expected 80");
            }
            ByteBuffer in = ByteBuffer.wrap(b);
            byte[] g = new byte[32];
            byte[] h = new byte[32];
            in.get(g);
            long height = in.getLong();
            in.get(h);
            return new Status(Hash.of(g), height, Hash.of(h), in.getLong());
        }
    }

    private SyncMessage() {
    }

    static byte[] statusRequest() {
        return new byte[] {STATUS};
    }

    static byte[] headersRequest(long from, int count) {
        return ByteBuffer.allocate(13).put((byte) HEADERS).putLong(from).putInt(count).array();
    }

    static byte[] bodiesRequest(List<Hash> hashes) {
        ByteBuffer b = ByteBuffer.allocate(5 + 32 * hashes.size()).put((byte) BODIES).putInt(hashes.size());
        hashes.forEach(h -> b.put(h.bytes()));
        return b.array();
    }

    static byte[] list(List<byte[]> items) {
        int size = 4;
        for (byte[] i : items) {
            size += 4 + i.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).putInt(items.size());
        items.forEach(i -> b.putInt(i.length).put(i));
        return b.array();
    }

    static List<byte[]> decodeList(byte[] bytes, int max, String what) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (in.remaining() < 4) {
            throw new IllegalArgumentException(what + " response shorter than its count");
        }
        int n = in.getInt();
        if (n < 0 || n > max) {
            throw new IllegalArgumentException(what + " response has " + n + " entries, at most " + max + " allowed");
        }
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (in.remaining() < 4) {
                throw new IllegalArgumentException(what + " response ends inside entry " + i);
            }
            int len = in.getInt();
            if (len < 0 || len > in.remaining()) {
                throw new IllegalArgumentException(what + " response entry " + i + " has length " + len + ", " + in.remaining() + " left");
            }
            byte[] e = new byte[len];
            in.get(e);
            out.add(e);
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(what + " response has " + in.remaining() + " trailing bytes");
        }
        return out;
    }
}
