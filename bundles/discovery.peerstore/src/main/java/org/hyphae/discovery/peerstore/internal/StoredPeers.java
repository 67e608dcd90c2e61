package org.hyphae.discovery.peerstore.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.hyphae.identity.PeerId;
import org.hyphae.storage.Cursor;
import org.hyphae.storage.Datastore;
import org.hyphae.storage.Entry;
import org.hyphae.storage.KeyRange;
import org.hyphae.storage.StorageException;

/**
 * The peer records in a {@link Datastore}, one entry per peer under {@code /peerstore/<peer id>}.
 * Reading skips and reports entries that cannot be read (their key, and what is wrong) instead of
 * failing; it leaves them in place for an operator to look at, and a later write for the same peer
 * replaces them.
 */
final class StoredPeers {

    /** What one load found. */
    record Loaded(int loaded, List<String> corrupt) {
    }

    private StoredPeers() {
    }

    static Loaded load(Datastore ds, PeerBook book) throws StorageException {
        int loaded = 0;
        List<String> corrupt = new ArrayList<>();
        byte[] prefix = PeerRecordCodec.PREFIX.getBytes(StandardCharsets.UTF_8);
        try (Cursor<Entry> cursor = ds.scan(KeyRange.prefix(prefix))) {
            while (cursor.hasNext()) {
                Entry entry = cursor.next();
                String key = new String(entry.key(), StandardCharsets.UTF_8);
                PeerId peer;
                try {
                    peer = PeerId.parse(key.substring(PeerRecordCodec.PREFIX.length()));
                } catch (RuntimeException e) {
                    corrupt.add("datastore entry " + key + ": the key is not a peer id (" + e.getMessage() + ")");
                    continue;
                }
                try {
                    if (book.load(PeerRecordCodec.decode(peer, entry.value()))) {
                        loaded++;
                    }
                } catch (PeerRecordCodec.CorruptRecordException e) {
                    corrupt.add("datastore entry " + key + ": " + e.getMessage());
                }
            }
        }
        return new Loaded(loaded, corrupt);
    }

    /** Writes the changes in one atomic batch. */
    static void write(Datastore ds, PeerBook.Changes changes) throws StorageException {
        if (changes.changed().isEmpty() && changes.removed().isEmpty()) {
            return;
        }
        try (Datastore.Batch batch = ds.batch()) {
            for (Map.Entry<PeerId, PeerEntry> e : changes.changed().entrySet()) {
                batch.put(PeerRecordCodec.keyBytes(e.getKey()), PeerRecordCodec.encode(e.getValue()));
            }
            for (PeerId p : changes.removed()) {
                batch.delete(PeerRecordCodec.keyBytes(p));
            }
            batch.commit();
        }
    }
}
