package org.hyphae.exchange.bitswap.internal;

import java.io.InputStream;
import java.util.Optional;
import java.util.OptionalLong;

import org.hyphae.multiformats.Cid;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.Cursor;
import org.hyphae.storage.StorageException;
import org.hyphae.storage.StoreStats;
import org.hyphae.storage.VerifiedBlock;

/** A block store that passes every call on; tests override the calls they slow down or fail. */
class ForwardingBlockStore implements BlockStore {

    private final BlockStore inner;

    ForwardingBlockStore(BlockStore inner) {
        this.inner = inner;
    }

    @Override
    public boolean has(Cid cid) throws StorageException {
        return inner.has(cid);
    }

    @Override
    public OptionalLong size(Cid cid) throws StorageException {
        return inner.size(cid);
    }

    @Override
    public Optional<byte[]> get(Cid cid) throws StorageException {
        return inner.get(cid);
    }

    @Override
    public Optional<InputStream> open(Cid cid) throws StorageException {
        return inner.open(cid);
    }

    @Override
    public void put(Cid cid, byte[] data) throws StorageException {
        inner.put(cid, data);
    }

    @Override
    public void put(VerifiedBlock block) throws StorageException {
        inner.put(block);
    }

    @Override
    public long put(Cid cid, InputStream data) throws StorageException {
        return inner.put(cid, data);
    }

    @Override
    public boolean delete(Cid cid) throws StorageException {
        return inner.delete(cid);
    }

    @Override
    public Cursor<Cid> cids() throws StorageException {
        return inner.cids();
    }

    @Override
    public StoreStats stats() throws StorageException {
        return inner.stats();
    }
}
