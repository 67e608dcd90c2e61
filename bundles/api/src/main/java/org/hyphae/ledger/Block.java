package org.hyphae.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A block: its header and its transactions in order. Immutable.
 *
 * <p>Encoding: {@code bytes header, u32 count, count * bytes transaction}, each with a 4-byte
 * length. The body alone ({@link #encodeBody()}) is the count and the transactions.
 *
 * @param header the header
 * @param transactions the transactions, in the order they apply
 */
public record Block(BlockHeader header, List<Transaction> transactions) {

    /** Most transactions a block may carry. */
    public static final int MAX_TRANSACTIONS = 20_000;

    /** Checks and copies the fields. */
    public Block {
        Objects.requireNonNull(header, "header");
        transactions = List.copyOf(transactions);
    }

    /**
     * The block id.
     *
     * @return the header's hash
     */
    public Hash hash() {
        return header.hash();
    }

    /**
     * The block's height.
     *
     * @return the header's height
     */
    public long height() {
        return header.height();
    }

    /**
     * The canonical encoding of header and body.
     *
     * @return the bytes
     */
    public byte[] encode() {
        CanonicalWriter w = new CanonicalWriter().bytes(header.encode());
        writeBody(w);
        return w.toByteArray();
    }

    /**
     * The canonical encoding of the transactions alone.
     *
     * @return the bytes
     */
    public byte[] encodeBody() {
        CanonicalWriter w = new CanonicalWriter();
        writeBody(w);
        return w.toByteArray();
    }

    private void writeBody(CanonicalWriter w) {
        w.u32(transactions.size());
        for (Transaction t : transactions) {
            w.bytes(t.encode());
        }
    }

    /**
     * Decodes {@link #encode()}'s form strictly.
     *
     * @param bytes the encoding
     * @return the block
     * @throws IllegalArgumentException if the bytes are malformed; the message says where
     */
    public static Block decode(byte[] bytes) {
        CanonicalReader r = new CanonicalReader("block", bytes);
        BlockHeader header;
        try {
            header = BlockHeader.decode(r.bytes(BlockHeader.MAX_SEAL + 1024, "header"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("block: " + e.getMessage(), e);
        }
        List<Transaction> txs = readBody(r);
        r.end();
        return new Block(header, txs);
    }

    /**
     * Decodes {@link #encodeBody()}'s form strictly.
     *
     * @param bytes the encoding
     * @return the transactions
     * @throws IllegalArgumentException if the bytes are malformed; the message says where
     */
    public static List<Transaction> decodeBody(byte[] bytes) {
        CanonicalReader r = new CanonicalReader("block body", bytes);
        List<Transaction> txs = readBody(r);
        r.end();
        return txs;
    }

    private static List<Transaction> readBody(CanonicalReader r) {
        int count = r.u32("count");
        if (count < 0 || count > MAX_TRANSACTIONS) {
            throw r.fail("count", Integer.toUnsignedString(count) + " transactions exceeds the limit of " + MAX_TRANSACTIONS);
        }
        List<Transaction> txs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] t = r.bytes(Transaction.MAX_ENCODED, "transaction " + i);
            try {
                txs.add(Transaction.decode(t));
            } catch (IllegalArgumentException e) {
                throw r.fail("transaction " + i, e.getMessage());
            }
        }
        return txs;
    }
}
