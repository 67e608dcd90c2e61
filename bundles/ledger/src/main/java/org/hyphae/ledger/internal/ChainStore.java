package org.hyphae.ledger.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Account;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.Transaction;
import org.hyphae.storage.Cursor;
import org.hyphae.storage.Datastore;
import org.hyphae.storage.Entry;
import org.hyphae.storage.KeyRange;
import org.hyphae.storage.StorageException;

/**
 * The chain's keys in the {@link Datastore}, all under {@code /ledger/}:
 * <ul>
 * <li>{@code hd/<hash>} header, {@code bd/<hash>} body (every stored block, canonical or not)
 * <li>{@code in/<hash>} height, cumulative fork-choice weight
 * <li>{@code ht/<u64 height>} the canonical block's hash
 * <li>{@code tx/<txid>} height and index of a canonical transaction
 * <li>{@code ac/<account>} balance and nonce at the head
 * <li>{@code un/<hash>} undo data of a canonical block: its touched accounts' prior state
 * <li>{@code head} the head's hash; {@code genesis} the genesis hash (a foreign chain is refused)
 * </ul>
 * A block's keys, the accounts it changed, the indexes and the head pointer are written in one
 * atomic batch, so a crash at any moment leaves the chain at one head or the next.
 */
final class ChainStore {

    static final byte[] HEAD = key("head");
    static final byte[] GENESIS = key("genesis");

    private final Datastore ds;

    ChainStore(Datastore ds) {
        this.ds = ds;
    }

    Datastore datastore() {
        return ds;
    }

    static byte[] key(String name) {
        return ("/ledger/" + name).getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] key(String prefix, byte[] suffix) {
        byte[] p = ("/ledger/" + prefix + "/").getBytes(StandardCharsets.US_ASCII);
        byte[] k = new byte[p.length + suffix.length];
        System.arraycopy(p, 0, k, 0, p.length);
        System.arraycopy(suffix, 0, k, p.length, suffix.length);
        return k;
    }

    static byte[] headerKey(Hash h) {
        return key("hd", h.bytes());
    }

    static byte[] bodyKey(Hash h) {
        return key("bd", h.bytes());
    }

    static byte[] infoKey(Hash h) {
        return key("in", h.bytes());
    }

    static byte[] undoKey(Hash h) {
        return key("un", h.bytes());
    }

    static byte[] heightKey(long height) {
        return key("ht", ByteBuffer.allocate(8).putLong(height).array());
    }

    static byte[] txKey(Hash tx) {
        return key("tx", tx.bytes());
    }

    static byte[] accountKey(PeerId id) {
        return key("ac", id.bytes());
    }

    /** What the store knows of a block besides its content. */
    record Info(long height, long weight) {
        byte[] encode() {
            return ByteBuffer.allocate(16).putLong(height).putLong(weight).array();
        }

        static Info decode(byte[] b) {
            ByteBuffer bb = ByteBuffer.wrap(b);
            return new Info(bb.getLong(), bb.getLong());
        }
    }

    Optional<Hash> hashAt(long height) throws StorageException {
        return ds.get(heightKey(height)).map(Hash::of);
    }

    Optional<BlockHeader> header(Hash h) throws StorageException {
        return ds.get(headerKey(h)).map(BlockHeader::decode);
    }

    Optional<byte[]> body(Hash h) throws StorageException {
        return ds.get(bodyKey(h));
    }

    Optional<Info> info(Hash h) throws StorageException {
        return ds.get(infoKey(h)).map(Info::decode);
    }

    Optional<Hash> head() throws StorageException {
        return ds.get(HEAD).map(Hash::of);
    }

    Optional<Hash> genesis() throws StorageException {
        return ds.get(GENESIS).map(Hash::of);
    }

    Optional<long[]> txLocation(Hash tx) throws StorageException {
        return ds.get(txKey(tx)).map(b -> {
            ByteBuffer bb = ByteBuffer.wrap(b);
            return new long[] {bb.getLong(), bb.getInt()};
        });
    }

    static byte[] txLocationValue(long height, int index) {
        return ByteBuffer.allocate(12).putLong(height).putInt(index).array();
    }

    static byte[] encodeAccount(Account a) {
        return ByteBuffer.allocate(16).putLong(a.balance()).putLong(a.nonce()).array();
    }

    static Account decodeAccount(byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b);
        return new Account(bb.getLong(), bb.getLong());
    }

    /** Every account at the head, to rebuild the in-memory state at start-up. */
    Map<PeerId, Account> accounts() throws StorageException {
        Map<PeerId, Account> out = new LinkedHashMap<>();
        byte[] prefix = key("ac", new byte[0]);
        try (Cursor<Entry> c = ds.scan(KeyRange.prefix(prefix))) {
            while (c.hasNext()) {
                Entry e = c.next();
                byte[] k = e.key();
                byte[] id = java.util.Arrays.copyOfRange(k, prefix.length, k.length);
                out.put(PeerId.fromBytes(id), decodeAccount(e.value()));
            }
        }
        return out;
    }

    static byte[] encodeUndo(Map<PeerId, Account> undo) {
        List<byte[]> ids = new ArrayList<>();
        int size = 4;
        for (PeerId p : undo.keySet()) {
            byte[] b = p.bytes();
            ids.add(b);
            size += 4 + b.length + 16;
        }
        ByteBuffer out = ByteBuffer.allocate(size).putInt(undo.size());
        int i = 0;
        for (Account a : undo.values()) {
            byte[] b = ids.get(i++);
            out.putInt(b.length).put(b).putLong(a.balance()).putLong(a.nonce());
        }
        return out.array();
    }

    static Map<PeerId, Account> decodeUndo(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int n = in.getInt();
        Map<PeerId, Account> out = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            byte[] id = new byte[in.getInt()];
            in.get(id);
            out.put(PeerId.fromBytes(id), new Account(in.getLong(), in.getLong()));
        }
        return out;
    }

    Optional<Map<PeerId, Account>> undo(Hash h) throws StorageException {
        return ds.get(undoKey(h)).map(ChainStore::decodeUndo);
    }

    static void putTransactions(Datastore.Batch batch, long height, List<Hash> ids) {
        for (int i = 0; i < ids.size(); i++) {
            batch.put(txKey(ids.get(i)), txLocationValue(height, i));
        }
    }

    static void deleteTransactions(Datastore.Batch batch, List<Transaction> txs) {
        for (Transaction t : txs) {
            batch.delete(txKey(t.hash()));
        }
    }
}
