package org.hyphae.ledger.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.hyphae.ledger.Transaction;

/**
 * Several transactions in one pubsub message on the transaction topic, so that the message's own
 * signature (GossipSub signs and verifies every message, as costly as a transaction's) and the
 * per-message framing are paid once per batch: version byte 1, u32 count, then per transaction a
 * u32 length and its canonical encoding.
 */
final class TransactionBatch {

    static final int VERSION = 1;
    /** Most transactions in one batch (about 100 KiB of transfers, well under GossipSub's 1 MiB message limit). */
    static final int MAX_TRANSACTIONS = 512;

    private TransactionBatch() {
    }

    static byte[] encode(List<Transaction> txs) {
        if (txs.size() > MAX_TRANSACTIONS) {
            throw new IllegalArgumentException(txs.size() + " transactions exceed a batch's " + MAX_TRANSACTIONS);
        }
        List<byte[]> encoded = new ArrayList<>(txs.size());
        int size = 5;
        for (Transaction t : txs) {
            byte[] e = t.encode();
            encoded.add(e);
            size += 4 + e.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).put((byte) VERSION).putInt(txs.size());
        encoded.forEach(e -> b.putInt(e.length).put(e));
        return b.array();
    }

    /**
     * Decodes strictly.
     *
     * @throws IllegalArgumentException naming the entry and offset where the bytes are wrong
     */
    static List<Transaction> decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (in.remaining() < 5) {
            throw new IllegalArgumentException("transaction batch: " + bytes.length + " bytes, shorter than its header");
        }
        int version = in.get() & 0xff;
        if (version != VERSION) {
            throw new IllegalArgumentException("transaction batch: unknown version " + version + ", this node reads " + VERSION);
        }
        int n = in.getInt();
        if (n <= 0 || n > MAX_TRANSACTIONS) {
            throw new IllegalArgumentException("transaction batch: count " + n + " is not 1 to " + MAX_TRANSACTIONS);
        }
        List<Transaction> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (in.remaining() < 4) {
                throw new IllegalArgumentException("transaction batch: ends inside the length of entry " + i + " at offset " + in.position());
            }
            int len = in.getInt();
            if (len <= 0 || len > Transaction.MAX_ENCODED || len > in.remaining()) {
                throw new IllegalArgumentException("transaction batch: entry " + i + " at offset " + (in.position() - 4) + " has length "
                        + len + " (limit " + Transaction.MAX_ENCODED + ", " + in.remaining() + " bytes left)");
            }
            byte[] e = new byte[len];
            in.get(e);
            try {
                out.add(Transaction.decode(e));
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException("transaction batch: entry " + i + ": " + bad.getMessage(), bad);
            }
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("transaction batch: " + in.remaining() + " trailing bytes after " + n + " entries");
        }
        return out;
    }
}
