package org.hyphae.storage.base;

import java.util.ArrayList;
import java.util.List;

import org.hyphae.storage.Datastore;
import org.hyphae.storage.StorageException;

/**
 * A batch that collects operations (checked as they are added) and hands them to the store in one
 * call on commit. Each store implements only {@link #apply(List)}.
 */
public abstract class PendingBatch implements Datastore.Batch {

    /**
     * One put ({@code value != null}) or delete ({@code value == null}).
     *
     * @param key the key
     * @param value the value, or {@code null} for a delete
     */
    public record Op(byte[] key, byte[] value) {
    }

    private final List<Op> ops = new ArrayList<>();
    private boolean done;

    @Override
    public Datastore.Batch put(byte[] key, byte[] value) {
        open();
        ops.add(new Op(DatastoreKeys.checkKey(key).clone(), DatastoreKeys.checkValue(value).clone()));
        return this;
    }

    @Override
    public Datastore.Batch delete(byte[] key) {
        open();
        ops.add(new Op(DatastoreKeys.checkKey(key).clone(), null));
        return this;
    }

    @Override
    public int size() {
        return ops.size();
    }

    @Override
    public void commit() throws StorageException {
        open();
        done = true;
        apply(List.copyOf(ops));
        ops.clear();
    }

    @Override
    public void close() {
        done = true;
        ops.clear();
    }

    private void open() {
        if (done) {
            throw new IllegalStateException("this batch was already committed or closed");
        }
    }

    /**
     * Applies the operations atomically and durably.
     *
     * @param ops the operations in the order they were added
     * @throws StorageException if nothing could be applied
     */
    protected abstract void apply(List<Op> ops) throws StorageException;
}
