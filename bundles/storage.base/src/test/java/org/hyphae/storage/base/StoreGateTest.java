package org.hyphae.storage.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.hyphae.storage.StorageException;
import org.junit.jupiter.api.Test;

class StoreGateTest {

    @Test
    void aSwapWaitsForTheOperationInFlightAndLaterOperationsUseTheNewStore() throws Exception {
        StoreGate<String> gate = new StoreGate<>("test store");
        gate.bind("old");
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> inFlight = CompletableFuture.supplyAsync(() -> {
            try {
                return gate.call(store -> {
                    inside.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return store;
                }, Duration.ofSeconds(5));
            } catch (StorageException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(inside.await(5, TimeUnit.SECONDS));
        CompletableFuture<Void> swap = CompletableFuture.runAsync(() -> gate.bind("new"));
        Thread.sleep(100);
        assertFalse(swap.isDone(), "the swap drains the operation in flight first");
        assertEquals("old", gate.current());
        release.countDown();
        assertEquals("old", inFlight.get(5, TimeUnit.SECONDS));
        swap.get(5, TimeUnit.SECONDS);
        assertEquals("new", gate.call(store -> store, Duration.ofSeconds(1)));
        assertEquals(2, gate.swaps());
    }

    @Test
    void withoutAStoreOperationsWaitBoundedThenFailClearly() throws Exception {
        StoreGate<String> gate = new StoreGate<>("test store");
        StorageException e = assertThrows(StorageException.class, () -> gate.call(s -> s, Duration.ofMillis(100)));
        assertTrue(e.getMessage().contains("no test store"), e.getMessage());

        CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return gate.call(s -> s, Duration.ofSeconds(5));
            } catch (StorageException ex) {
                throw new IllegalStateException(ex);
            }
        });
        Thread.sleep(100);
        gate.bind("late");
        assertEquals("late", waiting.get(5, TimeUnit.SECONDS), "an operation waits for a store to arrive");
        gate.unbind("other");
        assertEquals("late", gate.current(), "unbinding a store that is not current changes nothing");
        gate.unbind("late");
        assertEquals(null, gate.current());
    }
}
