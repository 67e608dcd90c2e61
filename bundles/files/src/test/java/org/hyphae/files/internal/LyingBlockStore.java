package org.hyphae.files.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

import org.hyphae.multiformats.Cid;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.Cursor;
import org.hyphae.storage.StorageException;
import org.hyphae.storage.StoreStats;

/**
 * A block store that stores whatever it is given under whatever CID, unverified: the only way to
 * build DAGs that content addressing makes impossible (cycles), to prove the exporter's own checks.
 */
final class LyingBlockStore implements BlockStore {

    final Map<Cid, byte[]> blocks = new ConcurrentHashMap<>();

    @Override
    public boolean has(Cid cid) {
        return blocks.containsKey(cid);
    }

    @Override
    public OptionalLong size(Cid cid) {
        byte[] b = blocks.get(cid);
        return b == null ? OptionalLong.empty() : OptionalLong.of(b.length);
    }

    @Override
    public Optional<byte[]> get(Cid cid) {
        return Optional.ofNullable(blocks.get(cid)).map(byte[]::clone);
    }

    @Override
    public Optional<InputStream> open(Cid cid) {
        return get(cid).map(ByteArrayInputStream::new);
    }

    @Override
    public void put(Cid cid, byte[] data) {
        blocks.put(cid, data.clone());
    }

    @Override
    public long put(Cid cid, InputStream data) throws StorageException {
        byte[] b;
        try {
            b = data.readAllBytes();
        } catch (IOException e) {
            throw new StorageException("reading " + cid, e);
        }
        put(cid, b);
        return b.length;
    }

    @Override
    public boolean delete(Cid cid) {
        return blocks.remove(cid) != null;
    }

    @Override
    public Cursor<Cid> cids() {
        var it = blocks.keySet().iterator();
        return new Cursor<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Cid next() {
                return it.next();
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public StoreStats stats() {
        throw new UnsupportedOperationException();
    }
}
