package org.hyphae.ledger.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The bounded way in for transactions that still need their signatures checked: submissions and
 * gossiped batches. At most {@code capacity} transactions wait or are being checked at a time;
 * beyond that new work is refused at once instead of queueing behind the rest. An overloaded node
 * then sheds transactions (they stay in their senders' pools and come again) rather than starving
 * the consensus of CPU and of the pool its proposal checks once shared with them.
 */
final class TransactionIntake {

    /** Thrown (as the cause of a failed stage) when the intake is full. */
    static final class FullException extends RejectedExecutionException {
        private static final long serialVersionUID = 1L;

        FullException(String message) {
            super(message);
        }
    }

    private final Executor workers;
    private final Semaphore room;
    private final int capacity;
    private final AtomicLong refused = new AtomicLong();

    TransactionIntake(Executor workers, int capacity) {
        this.workers = workers;
        this.capacity = capacity;
        this.room = new Semaphore(capacity);
    }

    /**
     * Runs {@code work} for {@code transactions} transactions on the workers if there is room.
     *
     * @return its result, or a stage failed with {@link FullException} if the intake is full or closing
     */
    <T> CompletableFuture<T> run(int transactions, Supplier<T> work) {
        int n = Math.max(1, Math.min(capacity, transactions));
        if (!room.tryAcquire(n)) {
            refused.incrementAndGet();
            return CompletableFuture.failedFuture(new FullException("the node is busy: " + (capacity - room.availablePermits())
                    + " transactions are waiting for their signatures to be checked (limit " + capacity + "); try again later"));
        }
        try {
            return CompletableFuture.supplyAsync(work, workers).whenComplete((r, e) -> room.release(n));
        } catch (RejectedExecutionException closing) {
            room.release(n);
            return CompletableFuture.failedFuture(new FullException("the ledger is closing"));
        }
    }

    /** How many times work was refused (status, tests). */
    long refused() {
        return refused.get();
    }
}
