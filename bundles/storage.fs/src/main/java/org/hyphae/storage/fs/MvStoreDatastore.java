package org.hyphae.storage.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.RootReference;
import org.h2.mvstore.type.BasicDataType;
import org.h2.mvstore.type.ByteArrayDataType;
import org.hyphae.storage.CorruptDataException;
import org.hyphae.storage.Cursor;
import org.hyphae.storage.Datastore;
import org.hyphae.storage.Entry;
import org.hyphae.storage.KeyRange;
import org.hyphae.storage.StorageException;
import org.hyphae.storage.StoreStats;
import org.hyphae.storage.base.DatastoreKeys;
import org.hyphae.storage.base.PendingBatch;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The datastore in one H2 MVStore file. MVStore is a copy-on-write B-tree that appends checksummed
 * chunks, so a crash leaves the file at its last complete commit; a write is acknowledged only after
 * {@code commit()} and {@code sync()} (fsync) have covered it.
 *
 * <p><b>Group commit.</b> Writers apply their change to the map, take a ticket, and then one of them
 * (whoever gets the commit lock) commits and fsyncs for everyone whose ticket is covered; the others
 * find their ticket already durable. Under concurrent load one fsync serves many writes.
 *
 * <p><b>Batches.</b> A batch is applied under the write side of a read/write lock and a scan takes
 * its snapshot (an MVMap root) under the read side, so no scan sees half a batch; MVStore writes the
 * whole batch in one chunk, so no crash leaves half of it either.
 */
@Component(service = Datastore.class, configurationPid = MvStoreDatastore.PID,
        property = Datastore.KIND_PROPERTY + "=" + BlockFiles.KIND)
@Designate(ocd = MvStoreDatastore.Config.class)
public final class MvStoreDatastore implements Datastore, AutoCloseable {

    static final String PID = "org.hyphae.storage.fs.datastore";

    /** Where the datastore file is. */
    @ObjectClassDefinition(name = "Hyphae file-system datastore",
            description = "The ordered datastore in an H2 MVStore file.")
    public @interface Config {
        /** The file; empty means datastore/datastore.mv in the node's data directory. */
        @AttributeDefinition(name = "File",
                description = "Path of the MVStore file; empty means datastore/datastore.mv in the node's data directory.")
        String file() default "";
    }

    private static final String MAP = "datastore";
    private static final String META = "meta";
    private static final String BYTES = "bytes";

    private final Path file;
    private final MVStore store;
    private final MVMap<byte[], byte[]> map;
    private final MVMap<String, Long> meta;
    private final ReadWriteLock batchLock = new ReentrantReadWriteLock();
    private final Object commitLock = new Object();
    private final AtomicLong tickets = new AtomicLong();
    private volatile long durable;

    /**
     * Opens the file named by the configuration, under the framework property {@code hyphae.data}.
     *
     * @param context the bundle's context
     * @param config the configuration
     * @throws StorageException if the file cannot be opened; SCR logs it and the service stays away
     */
    @Activate
    public MvStoreDatastore(BundleContext context, Config config) throws StorageException {
        this(config.file().isBlank() ? BlockFiles.dataDirectory(context).resolve("datastore").resolve("datastore.mv")
                : Path.of(config.file()));
    }

    /**
     * Opens (creating if needed) the store file.
     *
     * @param file the MVStore file, e.g. {@code <data>/datastore/datastore.mv}
     * @throws CorruptDataException if the file is damaged or not an MVStore file; names the file
     * @throws StorageException if it cannot be opened (locked by another process, unreadable)
     */
    public MvStoreDatastore(Path file) throws StorageException {
        this.file = file.toAbsolutePath();
        try {
            Files.createDirectories(this.file.getParent());
        } catch (IOException e) {
            throw new StorageException("cannot create the datastore directory: " + e, this.file.getParent().toString(), e);
        }
        try {
            store = new MVStore.Builder().fileName(this.file.toString()).autoCommitDisabled().open();
        } catch (MVStoreException e) {
            throw openFailure(e);
        } catch (IllegalStateException e) {
            throw openFailure(e);
        }
        try {
            map = store.openMap(MAP, new MVMap.Builder<byte[], byte[]>().keyType(UnsignedBytes.INSTANCE)
                    .valueType(ByteArrayDataType.INSTANCE));
            meta = store.openMap(META);
        } catch (RuntimeException e) {
            store.closeImmediately();
            throw new CorruptDataException(null, "datastore file has no readable datastore map: " + e, this.file.toString(), e);
        }
    }

    private StorageException openFailure(RuntimeException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("locked")) {
            return new StorageException("datastore file is in use by another process: " + message, file.toString(), e);
        }
        if (message.contains("orrupt") || message.contains("format") || message.contains("header")
                || message.contains("Unsupported") || message.contains("chunk")) {
            return new CorruptDataException(null, "datastore file is damaged or not an MVStore file: " + message
                    + "; it is left as it is", file.toString(), e);
        }
        return new StorageException("cannot open the datastore file: " + message, file.toString(), e);
    }

    /**
     * Returns the file.
     *
     * @return the absolute path of the MVStore file
     */
    public Path file() {
        return file;
    }

    @Override
    public Optional<byte[]> get(byte[] key) throws StorageException {
        DatastoreKeys.checkKey(key);
        try {
            return Optional.ofNullable(map.get(key)).map(byte[]::clone);
        } catch (RuntimeException e) {
            throw readFailure("cannot read key " + DatastoreKeys.describe(key), e);
        }
    }

    @Override
    public boolean has(byte[] key) throws StorageException {
        DatastoreKeys.checkKey(key);
        try {
            return map.containsKey(key);
        } catch (RuntimeException e) {
            throw readFailure("cannot read key " + DatastoreKeys.describe(key), e);
        }
    }

    @Override
    public void put(byte[] key, byte[] value) throws StorageException {
        byte[] k = DatastoreKeys.checkKey(key).clone();
        byte[] v = DatastoreKeys.checkValue(value).clone();
        long ticket;
        batchLock.readLock().lock();
        try {
            putInMap(k, v);
            ticket = tickets.incrementAndGet();
        } catch (RuntimeException e) {
            throw writeFailure("cannot write key " + DatastoreKeys.describe(key), e);
        } finally {
            batchLock.readLock().unlock();
        }
        awaitDurable(ticket, "key " + DatastoreKeys.describe(key));
    }

    private void putInMap(byte[] k, byte[] v) {
        byte[] old = map.put(k, v);
        addBytes(v.length - (old == null ? -k.length : old.length));
    }

    private void addBytes(long delta) {
        if (delta != 0) {
            meta.operate(BYTES, null, new MVMap.DecisionMaker<>() {
                @Override
                public MVMap.Decision decide(Long existing, Long provided) {
                    return MVMap.Decision.PUT;
                }

                @Override
                @SuppressWarnings("unchecked")
                public <T extends Long> T selectValue(T existing, T provided) {
                    return (T) Long.valueOf((existing == null ? 0 : existing) + delta);
                }
            });
        }
    }

    @Override
    public void delete(byte[] key) throws StorageException {
        DatastoreKeys.checkKey(key);
        long ticket;
        batchLock.readLock().lock();
        try {
            deleteInMap(key);
            ticket = tickets.incrementAndGet();
        } catch (RuntimeException e) {
            throw writeFailure("cannot delete key " + DatastoreKeys.describe(key), e);
        } finally {
            batchLock.readLock().unlock();
        }
        awaitDurable(ticket, "key " + DatastoreKeys.describe(key));
    }

    private void deleteInMap(byte[] key) {
        byte[] old = map.remove(key);
        if (old != null) {
            addBytes(-(key.length + (long) old.length));
        }
    }

    /** Leader/follower group commit: the first writer in commits for all tickets issued so far. */
    private void awaitDurable(long ticket, String what) throws StorageException {
        if (durable >= ticket) {
            return;
        }
        synchronized (commitLock) {
            if (durable >= ticket) {
                return;
            }
            long upTo = tickets.get();
            try {
                store.commit();
                store.sync();
            } catch (RuntimeException e) {
                throw writeFailure("cannot commit " + what, e);
            }
            durable = upTo;
        }
    }

    @Override
    public Cursor<Entry> scan(KeyRange range) throws StorageException {
        RootReference<byte[], byte[]> root;
        // Single puts are atomic on their own; only a batch must not be caught halfway.
        batchLock.readLock().lock();
        try {
            root = map.getRoot();
        } finally {
            batchLock.readLock().unlock();
        }
        byte[] from = range.from().orElse(null);
        byte[] to = range.to().orElse(null);
        org.h2.mvstore.Cursor<byte[], byte[]> cursor;
        try {
            cursor = map.cursor(root, from, null, false);
        } catch (RuntimeException e) {
            throw readFailure("cannot scan " + range, e);
        }
        return new Cursor<>() {
            private Entry next;
            private boolean done = from != null && to != null && Arrays.compareUnsigned(from, to) >= 0;

            @Override
            public boolean hasNext() {
                if (next != null) {
                    return true;
                }
                if (done) {
                    return false;
                }
                try {
                    if (!cursor.hasNext()) {
                        done = true;
                        return false;
                    }
                    byte[] key = cursor.next();
                    if (to != null && Arrays.compareUnsigned(key, to) >= 0) {
                        done = true;
                        return false;
                    }
                    next = new Entry(key, cursor.getValue());
                    return true;
                } catch (RuntimeException e) {
                    throw new UncheckedIOException(readFailure("cannot scan " + range, e));
                }
            }

            @Override
            public Entry next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Entry out = next;
                next = null;
                return out;
            }

            @Override
            public void close() {
                done = true;
                next = null;
            }
        };
    }

    @Override
    public Batch batch() {
        return new PendingBatch() {
            @Override
            protected void apply(List<Op> ops) throws StorageException {
                long ticket;
                // The write lock keeps scans from taking a snapshot halfway through; other writers
                // hold the read side, so the batch is applied alone.
                batchLock.writeLock().lock();
                try {
                    for (Op op : ops) {
                        if (op.value() == null) {
                            deleteInMap(op.key());
                        } else {
                            putInMap(op.key(), op.value());
                        }
                    }
                    ticket = tickets.incrementAndGet();
                } catch (RuntimeException e) {
                    throw writeFailure("cannot apply a batch of " + ops.size() + " operation(s)", e);
                } finally {
                    batchLock.writeLock().unlock();
                }
                awaitDurable(ticket, "a batch of " + ops.size() + " operation(s)");
            }
        };
    }

    @Override
    public StoreStats stats() throws StorageException {
        try {
            batchLock.readLock().lock();
            try {
                Long b = meta.get(BYTES);
                return new StoreStats(map.sizeAsLong(), b == null ? 0 : b);
            } finally {
                batchLock.readLock().unlock();
            }
        } catch (RuntimeException e) {
            throw readFailure("cannot count entries", e);
        }
    }

    private StorageException readFailure(String what, RuntimeException e) {
        if (e instanceof MVStoreException && String.valueOf(e.getMessage()).contains("orrupt")) {
            return new CorruptDataException(null, what + ": datastore file is damaged: " + e.getMessage(), file.toString(), e);
        }
        return new StorageException(what + ": " + e.getMessage(), file.toString(), e);
    }

    private StorageException writeFailure(String what, RuntimeException e) {
        String message = String.valueOf(e.getMessage()) + (e.getCause() == null ? "" : " (" + e.getCause() + ")");
        if (message.contains("No space left")) {
            return new StorageException(what + ": disk full: " + message, file.toString(), e);
        }
        return new StorageException(what + ": " + message, file.toString(), e);
    }

    /** Commits what is pending and closes the file. */
    @Deactivate
    @Override
    public void close() {
        if (!store.isClosed()) {
            try {
                store.close();
            } catch (RuntimeException e) {
                // A store that cannot write its last commit loses nothing acknowledged: every
                // acknowledged write was already synced.
                store.closeImmediately();
            }
        }
    }

    /** MVStore's byte[] type with the contract's unsigned order (its own compares signed bytes). */
    static final class UnsignedBytes extends BasicDataType<byte[]> {
        static final UnsignedBytes INSTANCE = new UnsignedBytes();

        @Override
        public int compare(byte[] a, byte[] b) {
            return Arrays.compareUnsigned(a, b);
        }

        @Override
        public int getMemory(byte[] obj) {
            return ByteArrayDataType.INSTANCE.getMemory(obj);
        }

        @Override
        public void write(org.h2.mvstore.WriteBuffer buff, byte[] obj) {
            ByteArrayDataType.INSTANCE.write(buff, obj);
        }

        @Override
        public byte[] read(java.nio.ByteBuffer buff) {
            return ByteArrayDataType.INSTANCE.read(buff);
        }

        @Override
        public byte[][] createStorage(int size) {
            return new byte[size][];
        }
    }
}
