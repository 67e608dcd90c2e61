package org.hyphae.storage.memory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

import org.hyphae.multiformats.Cid;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.CorruptDataException;
import org.hyphae.storage.Cursor;
import org.hyphae.storage.StorageException;
import org.hyphae.storage.StoreStats;
import org.hyphae.storage.VerifiedBlock;
import org.hyphae.storage.base.BlockDigest;
import org.hyphae.storage.base.VerifyingInputStream;
import org.osgi.service.component.annotations.Component;

/**
 * Blocks in a concurrent map. Reads verify too: the contract is the same for every kind, and it
 * catches a caller that changed an array it handed over.
 *
 * <p>Immediate: a delayed component is deactivated when its last user lets go (as a consumer does
 * when it swaps to another kind), which would throw the data away; it must live as long as the
 * bundle.
 */
@Component(service = BlockStore.class, immediate = true, property = BlockStore.KIND_PROPERTY + "=" + MemoryBlockStore.KIND)
public final class MemoryBlockStore implements BlockStore {

    static final String KIND = "memory";
    private static final String RESOURCE = "memory block store";

    private final ConcurrentMap<Cid, byte[]> blocks = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();

    @Override
    public boolean has(Cid cid) {
        return blocks.containsKey(cid);
    }

    @Override
    public OptionalLong size(Cid cid) {
        byte[] data = blocks.get(cid);
        return data == null ? OptionalLong.empty() : OptionalLong.of(data.length);
    }

    @Override
    public Optional<byte[]> get(Cid cid) throws StorageException {
        byte[] data = blocks.get(cid);
        if (data == null) {
            return Optional.empty();
        }
        if (!BlockDigest.matches(cid, data)) {
            throw new CorruptDataException(cid, "stored block " + cid + " is corrupt: its " + data.length
                    + " byte(s) do not hash to the CID", RESOURCE, null);
        }
        return Optional.of(data.clone());
    }

    @Override
    public Optional<InputStream> open(Cid cid) throws StorageException {
        byte[] data = blocks.get(cid);
        if (data == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new VerifyingInputStream(new ByteArrayInputStream(data), cid, RESOURCE));
        } catch (IOException e) {
            throw new StorageException("cannot open block " + cid, RESOURCE, e);
        }
    }

    @Override
    public void put(Cid cid, byte[] data) throws StorageException {
        BlockDigest digest = BlockDigest.forCid(cid);
        digest.update(data, 0, data.length);
        digest.check();
        store(cid, data.clone());
    }

    /** Hashed already: only copied. */
    @Override
    public void put(VerifiedBlock block) {
        store(block.cid(), block.data().clone());
    }

    @Override
    public long put(Cid cid, InputStream data) throws StorageException {
        byte[] block = BlockDigest.readVerified(cid, data, RESOURCE);
        store(cid, block);
        return block.length;
    }

    private void store(Cid cid, byte[] data) {
        if (blocks.putIfAbsent(cid, data) == null) {
            bytes.addAndGet(data.length);
        }
    }

    @Override
    public boolean delete(Cid cid) {
        byte[] removed = blocks.remove(cid);
        if (removed != null) {
            bytes.addAndGet(-removed.length);
        }
        return removed != null;
    }

    @Override
    public Cursor<Cid> cids() {
        Iterator<Cid> it = List.copyOf(blocks.keySet()).iterator();
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
        return new StoreStats(blocks.size(), bytes.get());
    }

    /** For the conformance suite's corruption test: damages a stored block in place. */
    boolean damage(Cid cid) {
        byte[] data = blocks.get(cid);
        if (data == null || data.length == 0) {
            return false;
        }
        data[0] ^= 1;
        return true;
    }
}
