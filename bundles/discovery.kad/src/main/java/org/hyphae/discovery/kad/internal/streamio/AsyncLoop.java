package org.hyphae.discovery.kad.internal.streamio;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Repeats an asynchronous step until it yields a value, without blocking and without growing the
 * stack when steps complete synchronously (a stream with buffered data completes reads at once;
 * chaining {@code thenCompose} recursively would then overflow the stack on a long transfer).
 */
public final class AsyncLoop<T> {

    private final Supplier<? extends CompletionStage<Optional<T>>> step;
    private final CompletableFuture<T> result = new CompletableFuture<>();

    private AsyncLoop(Supplier<? extends CompletionStage<Optional<T>>> step) {
        this.step = step;
    }

    /**
     * Runs {@code step} repeatedly: an empty result means "again", a present one ends the loop with
     * that value, a failure (or a thrown exception) ends it with that failure.
     *
     * @param step one iteration
     * @return completes with the first present value or the first failure
     */
    public static <T> CompletionStage<T> run(Supplier<? extends CompletionStage<Optional<T>>> step) {
        AsyncLoop<T> loop = new AsyncLoop<>(Objects.requireNonNull(step, "step"));
        loop.drive();
        return loop.result;
    }

    private void drive() {
        while (true) {
            CompletionStage<Optional<T>> stage;
            try {
                stage = step.get();
            } catch (Throwable t) {
                result.completeExceptionally(t);
                return;
            }
            Iteration it = new Iteration();
            stage.whenComplete(it);
            if (!it.completedSynchronously()) {
                return; // the callback goes on with the loop
            }
            if (!accept(it.value, it.error)) {
                return;
            }
        }
    }

    /** Returns whether the loop goes on. */
    private boolean accept(Optional<T> value, Throwable error) {
        if (error != null) {
            result.completeExceptionally(unwrap(error));
            return false;
        }
        if (value == null) {
            result.completeExceptionally(new NullPointerException("loop step completed with null"));
            return false;
        }
        if (value.isPresent()) {
            result.complete(value.get());
            return false;
        }
        return true;
    }

    /**
     * Strips the {@link CompletionException} / {@link ExecutionException} wrappers that dependent
     * stages add, so callers see the cause that says what went wrong.
     *
     * @param t a failure
     * @return its first cause that is not such a wrapper
     */
    public static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private final class Iteration implements BiConsumer<Optional<T>, Throwable> {
        private static final int WAITING = 0;
        private static final int LOOP_LEFT = 1;
        private static final int DONE_IN_LOOP = 2;
        private final AtomicInteger state = new AtomicInteger(WAITING);
        private Optional<T> value;
        private Throwable error;

        @Override
        public void accept(Optional<T> v, Throwable e) {
            value = v;
            error = e;
            if (!state.compareAndSet(WAITING, DONE_IN_LOOP)) {
                // The loop returned already: continue it from here.
                if (AsyncLoop.this.accept(v, e)) {
                    drive();
                }
            }
        }

        boolean completedSynchronously() {
            return !state.compareAndSet(WAITING, LOOP_LEFT);
        }
    }
}
