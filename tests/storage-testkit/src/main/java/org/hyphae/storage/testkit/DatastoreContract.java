package org.hyphae.storage.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.hyphae.storage.Cursor;
import org.hyphae.storage.Datastore;
import org.hyphae.storage.Entry;
import org.hyphae.storage.KeyRange;
import org.hyphae.storage.StoreStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link Datastore} contract as tests. Extend it and implement {@link #newStore()}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class DatastoreContract {

    /** The store under test, new and empty for each test. */
    protected Datastore store;
    private final Random random = new Random(7);

    /**
     * Creates a new, empty store.
     *
     * @return the store
     * @throws Exception if it cannot be created
     */
    protected abstract Datastore newStore() throws Exception;

    /**
     * Releases a store after a test; by default nothing.
     *
     * @param store the store from {@link #newStore()}
     * @throws Exception if it cannot be closed
     */
    protected void closeStore(Datastore store) throws Exception {
    }

    @BeforeEach
    void createStore() throws Exception {
        store = newStore();
    }

    @AfterEach
    void releaseStore() throws Exception {
        if (store != null) {
            closeStore(store);
        }
    }

    private static byte[] k(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private List<String> keys(KeyRange range) throws Exception {
        List<String> out = new ArrayList<>();
        try (Cursor<Entry> c = store.scan(range)) {
            c.forEachRemaining(e -> out.add(hex(e.key())));
        }
        return out;
    }

    @Test
    void putGetHasDelete() throws Exception {
        store.put(k("01"), k("aa"));
        assertTrue(store.has(k("01")));
        assertArrayEquals(k("aa"), store.get(k("01")).orElseThrow());
        store.put(k("01"), k("bb"));
        assertArrayEquals(k("bb"), store.get(k("01")).orElseThrow(), "a put replaces");
        store.delete(k("01"));
        assertFalse(store.has(k("01")));
        assertEquals(Optional.empty(), store.get(k("01")));
        store.delete(k("01"));
    }

    @Test
    void emptyValuesAreValues() throws Exception {
        store.put(k("02"), new byte[0]);
        assertTrue(store.has(k("02")));
        assertArrayEquals(new byte[0], store.get(k("02")).orElseThrow());
    }

    @Test
    void theStoreKeepsItsOwnCopies() throws Exception {
        byte[] key = k("03");
        byte[] value = k("0102");
        store.put(key, value);
        key[0] = 9;
        value[0] = 9;
        assertArrayEquals(k("0102"), store.get(k("03")).orElseThrow());
        store.get(k("03")).orElseThrow()[0] = 9;
        assertArrayEquals(k("0102"), store.get(k("03")).orElseThrow());
    }

    @Test
    void badKeysAndValuesAreRefusedBeforeTheStoreIsTouched() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> store.put(new byte[0], k("01")));
        assertThrows(IllegalArgumentException.class, () -> store.get(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> store.has(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> store.delete(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> store.put(new byte[Datastore.MAX_KEY_LENGTH + 1], k("01")));
        assertThrows(IllegalArgumentException.class, () -> store.put(k("01"), new byte[Datastore.MAX_VALUE_LENGTH + 1]));
        assertThrows(IllegalArgumentException.class, () -> store.put(k("01"), null));
        try (Datastore.Batch batch = store.batch()) {
            assertThrows(IllegalArgumentException.class, () -> batch.put(new byte[0], k("01")));
        }
        assertEquals(new StoreStats(0, 0), store.stats());
    }

    @Test
    void theLongestKeyAndTheLargestValueFit() throws Exception {
        byte[] key = new byte[Datastore.MAX_KEY_LENGTH];
        Arrays.fill(key, (byte) 0xff);
        byte[] value = new byte[Datastore.MAX_VALUE_LENGTH];
        random.nextBytes(value);
        store.put(key, value);
        assertArrayEquals(value, store.get(key).orElseThrow());
        assertEquals(new StoreStats(1, key.length + (long) value.length), store.stats());
    }

    @Test
    void keysAreOrderedAsUnsignedBytes() throws Exception {
        List<String> sorted = List.of("00", "0000", "01", "7f", "7fff", "80", "8000", "fe", "ff", "ff00", "ffff");
        List<String> shuffled = new ArrayList<>(sorted);
        java.util.Collections.shuffle(shuffled, random);
        for (String key : shuffled) {
            store.put(k(key), k(key));
        }
        assertEquals(sorted, keys(KeyRange.all()));
    }

    @Test
    void prefixScans() throws Exception {
        for (String key : List.of("01", "0100", "01ff", "01ffff", "02", "ff", "ff01", "ffff", "ffff00")) {
            store.put(k(key), k("00"));
        }
        assertEquals(List.of("01", "0100", "01ff", "01ffff"), keys(KeyRange.prefix(k("01"))));
        assertEquals(List.of("01ff", "01ffff"), keys(KeyRange.prefix(k("01ff"))));
        assertEquals(List.of("ffff", "ffff00"), keys(KeyRange.prefix(k("ffff"))), "an all-0xff prefix is open above");
        assertEquals(List.of(), keys(KeyRange.prefix(k("03"))));
        assertEquals(9, keys(KeyRange.prefix(new byte[0])).size());
    }

    @Test
    void rangeScans() throws Exception {
        for (int i = 0; i < 20; i++) {
            store.put(new byte[] {(byte) (i * 10)}, new byte[] {(byte) i});
        }
        assertEquals(List.of("64", "6e", "78"), keys(KeyRange.between(k("64"), k("82"))), "from inclusive, to exclusive");
        assertEquals(List.of("b4", "be"), keys(KeyRange.atLeast(k("b4"))));
        assertEquals(List.of("00", "0a"), keys(KeyRange.below(k("14"))));
        assertEquals(List.of(), keys(KeyRange.between(k("82"), k("64"))), "an inverted range is empty");
        try (Cursor<Entry> c = store.scan(KeyRange.between(k("0a"), k("0b")))) {
            Entry e = c.next();
            assertArrayEquals(k("01"), e.value());
            assertFalse(c.hasNext());
        }
    }

    @Test
    void longScansReturnEverythingInOrder() throws Exception {
        List<byte[]> expected = new ArrayList<>();
        try (Datastore.Batch batch = store.batch()) {
            for (int i = 0; i < 5000; i++) {
                byte[] key = ByteBuffer.allocate(9).put((byte) 0x42).putLong(random.nextLong()).array();
                batch.put(key, key);
                expected.add(key);
            }
            batch.commit();
        }
        expected.sort(Arrays::compareUnsigned);
        List<byte[]> seen = new ArrayList<>();
        try (Cursor<Entry> c = store.scan(KeyRange.prefix(k("42")))) {
            c.forEachRemaining(e -> seen.add(e.key()));
        }
        assertEquals(expected.size(), seen.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), seen.get(i), "entry " + i);
        }
    }

    @Test
    void aBatchIsInvisibleUntilCommittedAndLaterOperationsWin() throws Exception {
        store.put(k("10"), k("00"));
        try (Datastore.Batch batch = store.batch()) {
            batch.put(k("11"), k("01")).put(k("12"), k("02")).delete(k("10")).put(k("11"), k("03")).delete(k("12"));
            assertEquals(5, batch.size());
            assertFalse(store.has(k("11")));
            assertTrue(store.has(k("10")));
            batch.commit();
            assertThrows(IllegalStateException.class, () -> batch.put(k("13"), k("00")));
            assertThrows(IllegalStateException.class, batch::commit);
        }
        assertEquals(List.of("11"), keys(KeyRange.all()));
        assertArrayEquals(k("03"), store.get(k("11")).orElseThrow());
    }

    @Test
    void aClosedBatchIsDiscarded() throws Exception {
        try (Datastore.Batch batch = store.batch()) {
            batch.put(k("20"), k("00"));
        }
        assertFalse(store.has(k("20")));
    }

    @Test
    void statsCountKeysAndValues() throws Exception {
        store.put(k("0102"), k("030405"));
        store.put(k("06"), new byte[0]);
        assertEquals(new StoreStats(2, 6), store.stats());
        store.put(k("06"), k("07"));
        store.delete(k("0102"));
        assertEquals(new StoreStats(1, 2), store.stats());
    }

    @Test
    void concurrentWritersAndScanners() throws Exception {
        int threads = 4;
        int perThread = 300;
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                byte thread = (byte) t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        byte[] key = ByteBuffer.allocate(5).put(thread).putInt(i).array();
                        store.put(key, key);
                        assertArrayEquals(key, store.get(key).orElseThrow());
                    }
                    return null;
                }));
            }
            done.add(pool.submit(() -> {
                // A scanner running beside the writers sees ordered, whole entries.
                for (int round = 0; round < 20; round++) {
                    byte[] previous = null;
                    try (Cursor<Entry> c = store.scan(KeyRange.all())) {
                        while (c.hasNext()) {
                            Entry e = c.next();
                            assertArrayEquals(e.key(), e.value());
                            if (previous != null) {
                                assertTrue(Arrays.compareUnsigned(previous, e.key()) < 0, "ascending order");
                            }
                            previous = e.key();
                        }
                    }
                }
                return null;
            }));
            for (Future<?> f : done) {
                f.get(100, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(new StoreStats(threads * perThread, threads * perThread * 10L), store.stats());
    }

    @Test
    void concurrentBatchesAreAtomic() throws Exception {
        // Each batch writes its own number under the same ten keys; afterwards all ten must agree.
        int writers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < writers; t++) {
                byte id = (byte) t;
                done.add(pool.submit(() -> {
                    for (int round = 0; round < 25; round++) {
                        try (Datastore.Batch batch = store.batch()) {
                            for (int key = 0; key < 10; key++) {
                                batch.put(new byte[] {0x30, (byte) key}, new byte[] {id, (byte) round});
                            }
                            batch.commit();
                        }
                    }
                    return null;
                }));
            }
            done.add(pool.submit(() -> {
                for (int round = 0; round < 50; round++) {
                    List<byte[]> values = new ArrayList<>();
                    try (Cursor<Entry> c = store.scan(KeyRange.prefix(k("30")))) {
                        c.forEachRemaining(e -> values.add(e.value()));
                    }
                    if (!values.isEmpty()) {
                        assertEquals(10, values.size(), "a batch is never half visible");
                        for (byte[] v : values) {
                            assertArrayEquals(values.get(0), v, "a batch is never half visible");
                        }
                    }
                }
                return null;
            }));
            for (Future<?> f : done) {
                f.get(100, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<byte[]> values = new ArrayList<>();
        try (Cursor<Entry> c = store.scan(KeyRange.prefix(k("30")))) {
            c.forEachRemaining(e -> values.add(e.value()));
        }
        assertEquals(10, values.size());
        values.sort(Comparator.comparing(HexFormat.of()::formatHex));
        assertArrayEquals(values.get(0), values.get(9));
    }
}
