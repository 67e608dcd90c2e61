package org.hyphae.storage.base;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.hyphae.storage.StorageException;

/**
 * The consumer side of a store swap. A component that holds a store through a dynamic, greedy
 * reference passes its bind and unbind calls here and runs every operation through
 * {@link #call}. A swap waits until the operations already running on the old store have returned
 * (they drain), and operations that start during the swap wait for it and then run on the new store;
 * so no write is acknowledged by the old store after the new one took over.
 *
 * <p>Operations share a read lock and a swap takes the write lock. The lock is fair, so a waiting
 * swap is not starved by a steady stream of operations. Because of that fairness, an operation must
 * not call {@link #call} again from inside itself: with a swap waiting, the inner call would wait
 * for the swap and the swap for the outer call.
 *
 * @param <T> the store type
 */
public final class StoreGate<T> {

    /**
     * One operation on the current store.
     *
     * @param <T> the store type
     * @param <R> the result
     */
    @FunctionalInterface
    public interface StoreCall<T, R> {
        /**
         * Runs the operation.
         *
         * @param store the store bound at this moment
         * @return the result
         * @throws StorageException if the store fails
         */
        R apply(T store) throws StorageException;
    }

    private final String what;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);
    private final Object arrival = new Object();
    private volatile T current;
    private volatile long swaps;

    /**
     * Creates an empty gate.
     *
     * @param what what the store is, for error messages, such as {@code "block store"}
     */
    public StoreGate(String what) {
        this.what = what;
    }

    /**
     * Makes {@code store} the current store once running operations have drained.
     *
     * @param store the newly bound store
     */
    public void bind(T store) {
        lock.writeLock().lock();
        try {
            current = store;
            swaps++;
        } finally {
            lock.writeLock().unlock();
        }
        synchronized (arrival) {
            arrival.notifyAll();
        }
    }

    /**
     * Forgets {@code store} once running operations have drained, if it is the current one (with a
     * greedy reference the replacement may already be bound).
     *
     * @param store the store being unbound
     */
    public void unbind(T store) {
        lock.writeLock().lock();
        try {
            if (current == store) {
                current = null;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Returns the current store without holding it.
     *
     * @return the store, or {@code null} if none is bound
     */
    public T current() {
        return current;
    }

    /**
     * Returns how many times a store was bound.
     *
     * @return the bind count
     */
    public long swaps() {
        return swaps;
    }

    /**
     * Runs an operation on the current store, holding off swaps until it returns.
     *
     * @param <R> the result type
     * @param call the operation
     * @param wait how long to wait for a store if none is bound
     * @return its result
     * @throws StorageException from the operation, or if no store was bound within {@code wait}
     */
    public <R> R call(StoreCall<T, R> call, Duration wait) throws StorageException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            try {
                if (!lock.readLock().tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    throw new StorageException("no " + what + " became available within " + wait.toMillis() + " ms", null);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException("interrupted while waiting for the " + what, e);
            }
            try {
                T store = current;
                if (store != null) {
                    return call.apply(store);
                }
            } finally {
                lock.readLock().unlock();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new StorageException("no " + what + " is bound (is a storage bundle active and selected?); waited "
                        + wait.toMillis() + " ms", null);
            }
            synchronized (arrival) {
                if (current == null) {
                    try {
                        arrival.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new StorageException("interrupted while waiting for the " + what, e);
                    }
                }
            }
        }
    }
}
