package org.hyphae.storage.memory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.hyphae.storage.Cursor;
import org.hyphae.storage.Datastore;
import org.hyphae.storage.Entry;
import org.hyphae.storage.KeyRange;
import org.hyphae.storage.StoreStats;
import org.hyphae.storage.base.DatastoreKeys;
import org.hyphae.storage.base.PendingBatch;
import org.osgi.service.component.annotations.Component;

/**
 * An ordered map under a read/write lock. A scan copies its range under the read lock, which gives
 * the contract's snapshot (never half a batch) at the cost of memory: fine for tests and
 * ephemeral nodes, which is what this store is for. Immediate, like {@link MemoryBlockStore}, so
 * that its data outlives its users.
 */
@Component(service = Datastore.class, immediate = true, property = Datastore.KIND_PROPERTY + "=" + MemoryBlockStore.KIND)
public final class MemoryDatastore implements Datastore {

    private final NavigableMap<byte[], byte[]> entries = new TreeMap<>(Arrays::compareUnsigned);
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private long bytes;

    @Override
    public Optional<byte[]> get(byte[] key) {
        DatastoreKeys.checkKey(key);
        lock.readLock().lock();
        try {
            return Optional.ofNullable(entries.get(key)).map(byte[]::clone);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public boolean has(byte[] key) {
        DatastoreKeys.checkKey(key);
        lock.readLock().lock();
        try {
            return entries.containsKey(key);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void put(byte[] key, byte[] value) {
        byte[] k = DatastoreKeys.checkKey(key).clone();
        byte[] v = DatastoreKeys.checkValue(value).clone();
        lock.writeLock().lock();
        try {
            putLocked(k, v);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void putLocked(byte[] key, byte[] value) {
        byte[] old = entries.put(key, value);
        bytes += value.length - (old == null ? -key.length : old.length);
    }

    @Override
    public void delete(byte[] key) {
        DatastoreKeys.checkKey(key);
        lock.writeLock().lock();
        try {
            deleteLocked(key);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void deleteLocked(byte[] key) {
        byte[] old = entries.remove(key);
        if (old != null) {
            bytes -= key.length + old.length;
        }
    }

    @Override
    public Cursor<Entry> scan(KeyRange range) {
        List<Entry> copy = new ArrayList<>();
        lock.readLock().lock();
        try {
            for (Map.Entry<byte[], byte[]> e : view(range).entrySet()) {
                copy.add(new Entry(e.getKey(), e.getValue()));
            }
        } finally {
            lock.readLock().unlock();
        }
        Iterator<Entry> it = copy.iterator();
        return new Cursor<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Entry next() {
                return it.next();
            }

            @Override
            public void close() {
            }
        };
    }

    private NavigableMap<byte[], byte[]> view(KeyRange range) {
        byte[] from = range.from().orElse(null);
        byte[] to = range.to().orElse(null);
        if (from != null && to != null) {
            return Arrays.compareUnsigned(from, to) >= 0 ? new TreeMap<>() : entries.subMap(from, true, to, false);
        }
        if (from != null) {
            return entries.tailMap(from, true);
        }
        return to != null ? entries.headMap(to, false) : entries;
    }

    @Override
    public Batch batch() {
        return new PendingBatch() {
            @Override
            protected void apply(List<Op> ops) {
                lock.writeLock().lock();
                try {
                    for (Op op : ops) {
                        if (op.value() == null) {
                            deleteLocked(op.key());
                        } else {
                            putLocked(op.key(), op.value());
                        }
                    }
                } finally {
                    lock.writeLock().unlock();
                }
            }
        };
    }

    @Override
    public StoreStats stats() {
        lock.readLock().lock();
        try {
            return new StoreStats(entries.size(), bytes);
        } finally {
            lock.readLock().unlock();
        }
    }
}
