package org.hyphae.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class TransactionIntakeTest {

    @Test
    void refusesAtOnceWhenFullAndTakesWorkAgainOnceDrained() throws Exception {
        ExecutorService workers = Executors.newSingleThreadExecutor();
        try {
            TransactionIntake intake = new TransactionIntake(workers, 600);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<String> batch = intake.run(512, () -> {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "checked";
            });
            // 512 of 600 are taken: another batch of 512 does not fit and is refused without queueing.
            CompletableFuture<String> refused = intake.run(512, () -> "never");
            ExecutionException e = assertThrows(ExecutionException.class, () -> refused.get(1, TimeUnit.SECONDS));
            assertInstanceOf(TransactionIntake.FullException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("limit 600"), e.getCause().getMessage());
            assertEquals(1, intake.refused());
            // A single submission still fits beside the batch.
            CompletableFuture<String> one = intake.run(1, () -> "one");
            release.countDown();
            assertEquals("checked", batch.get(10, TimeUnit.SECONDS));
            assertEquals("one", one.get(10, TimeUnit.SECONDS));
            // Drained: a full batch is taken again.
            assertEquals("again", intake.run(512, () -> "again").get(10, TimeUnit.SECONDS));
        } finally {
            workers.shutdownNow();
        }
    }
}
