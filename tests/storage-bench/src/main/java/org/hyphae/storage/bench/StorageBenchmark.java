package org.hyphae.storage.bench;

import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.hyphae.storage.BlockStore;
import org.hyphae.storage.Cursor;
import org.hyphae.storage.Datastore;
import org.hyphae.storage.Entry;
import org.hyphae.storage.KeyRange;
import org.hyphae.storage.fs.BlockFiles;
import org.hyphae.storage.fs.MvStoreDatastore;
import org.hyphae.storage.jdbc.PostgresBlockStore;
import org.hyphae.storage.jdbc.PostgresConnections;
import org.hyphae.storage.jdbc.PostgresDatastore;
import org.hyphae.storage.memory.MemoryBlockStore;
import org.hyphae.storage.memory.MemoryDatastore;
import org.hyphae.storage.testkit.SampleBlock;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * Throughput of each store against the disk's own limit, measured in the same run with
 * {@code dd oflag=dsync} (every write synced, as every acknowledged store write is). Prints one
 * table; not a test. The jdbc rows need the server of {@code scripts/postgres-test-server.sh}.
 */
public final class StorageBenchmark {

    private static final Random RANDOM = new Random(1);

    private StorageBenchmark() {
    }

    /**
     * Runs everything.
     *
     * @param args the scratch directory (on the disk to measure)
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/bench-data").toAbsolutePath();
        deleteTree(dir);
        Files.createDirectories(dir);
        System.out.printf("Storage benchmark in %s, %d cores, Java %s%n%n", dir,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

        double dd256 = dd(dir, "256k", 400);
        double dd4 = dd(dir, "4k", 2000);
        System.out.printf("disk limit (dd oflag=dsync): 256 KiB writes %.1f MB/s (%.0f/s); 4 KiB writes %.0f/s (%.1f MB/s)%n%n",
                dd256 / 1e6, dd256 / 262144, dd4 / 4096, dd4 / 1e6);

        System.out.printf("%-8s %-34s %12s %12s %8s%n", "store", "operation", "ops/s", "MB/s", "vs dd");
        blocks("memory", new MemoryBlockStore(), dd256, dd4);
        blocks("fs", new BlockFiles(dir.resolve("blocks")), dd256, dd4);
        datastore("memory", new MemoryDatastore(), dd4);
        try (MvStoreDatastore mv = new MvStoreDatastore(dir.resolve("datastore").resolve("datastore.mv"))) {
            datastore("fs", mv, dd4);
        }
        rocks(dir.resolve("rocksdb"), dd4);
        Properties pg = postgres();
        if (pg == null) {
            System.out.println("jdbc     (skipped: no PostgreSQL test server; run scripts/postgres-test-server.sh start)");
        } else {
            String schema = "bench_" + System.nanoTime();
            try (PostgresConnections db = new PostgresConnections(pg.getProperty("url"), pg.getProperty("user"),
                    pg.getProperty("password"), 8, schema, 5000)) {
                blocks("jdbc", new PostgresBlockStore(db), dd256, dd4);
                datastore("jdbc", new PostgresDatastore(db), dd4);
            }
        }
        deleteTree(dir);
    }

    /** Bytes per second of synced sequential writes, from dd's summary line. */
    private static double dd(Path dir, String blockSize, int count) throws Exception {
        Path file = dir.resolve("dd.test");
        Process p = new ProcessBuilder("dd", "if=/dev/zero", "of=" + file, "bs=" + blockSize, "count=" + count,
                "oflag=dsync").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        Files.deleteIfExists(file);
        Matcher m = Pattern.compile("(\\d+) bytes .* copied, ([0-9.]+) s").matcher(out);
        if (!m.find()) {
            throw new IOException("cannot read dd's output: " + out);
        }
        return Long.parseLong(m.group(1)) / Double.parseDouble(m.group(2));
    }

    private static void row(String store, String op, long ops, long bytes, long nanos, double limitBytesPerSec,
            double limitOpsPerSec) {
        double seconds = nanos / 1e9;
        double opsPerSec = ops / seconds;
        double mbPerSec = bytes / seconds / 1e6;
        String ratio = "";
        if (limitBytesPerSec > 0) {
            ratio = String.format("%.2fx", (bytes / seconds) / limitBytesPerSec);
        } else if (limitOpsPerSec > 0) {
            ratio = String.format("%.2fx", opsPerSec / limitOpsPerSec);
        }
        System.out.printf("%-8s %-34s %12.0f %12.1f %8s%n", store, op, opsPerSec, mbPerSec, ratio);
    }

    private static void blocks(String kind, BlockStore store, double dd256, double dd4) throws Exception {
        for (int size : new int[] {256 * 1024, 4096}) {
            int n = size > 4096 ? 200 : 2000;
            List<SampleBlock> blocks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                blocks.add(SampleBlock.random(RANDOM, size));
            }
            String label = size > 4096 ? "256 KiB" : "4 KiB";
            long start = System.nanoTime();
            for (SampleBlock b : blocks) {
                store.put(b.cid(), b.data());
            }
            long put = System.nanoTime() - start;
            row(kind, "block put " + label + " (1 thread)", n, (long) n * size, put,
                    size > 4096 ? dd256 : 0, size > 4096 ? 0 : dd4 / 4096);

            List<SampleBlock> more = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                more.add(SampleBlock.random(RANDOM, size));
            }
            long parallel = parallel(4, more, b -> store.put(b.cid(), b.data()));
            row(kind, "block put " + label + " (4 threads)", n, (long) n * size, parallel,
                    size > 4096 ? dd256 : 0, size > 4096 ? 0 : dd4 / 4096);

            start = System.nanoTime();
            for (SampleBlock b : blocks) {
                store.get(b.cid()).orElseThrow();
            }
            row(kind, "block get " + label + " (verified)", n, (long) n * size, System.nanoTime() - start, 0, 0);
        }
    }

    interface Work<T> {
        void run(T item) throws Exception;
    }

    private static <T> long parallel(int threads, List<T> items, Work<T> work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int offset = t;
            done.add(pool.submit(() -> {
                for (int i = offset; i < items.size(); i += threads) {
                    work.run(items.get(i));
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        long nanos = System.nanoTime() - start;
        pool.shutdown();
        return nanos;
    }

    private static byte[] key(int i) {
        return ByteBuffer.allocate(16).putLong(0x6879706861650000L).putLong(Long.reverse(i)).array();
    }

    private static void datastore(String kind, Datastore store, double dd4) throws Exception {
        int n = kind.equals("memory") ? 50_000 : 2000;
        byte[] value = new byte[100];
        RANDOM.nextBytes(value);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            store.put(key(i), value);
        }
        row(kind, "datastore put 100 B (1 thread)", n, n * 116L, System.nanoTime() - start, 0, dd4 / 4096);

        List<Integer> more = new ArrayList<>();
        for (int i = n; i < 3 * n; i++) {
            more.add(i);
        }
        long nanos = parallel(4, more, i -> store.put(key(i), value));
        row(kind, "datastore put 100 B (4 threads)", more.size(), more.size() * 116L, nanos, 0, dd4 / 4096);

        start = System.nanoTime();
        int batches = 20;
        for (int b = 0; b < batches; b++) {
            try (Datastore.Batch batch = store.batch()) {
                for (int i = 0; i < 1000; i++) {
                    batch.put(key(10_000_000 + b * 1000 + i), value);
                }
                batch.commit();
            }
        }
        row(kind, "datastore batch put (1000/batch)", batches * 1000L, batches * 116_000L, System.nanoTime() - start, 0, 0);

        start = System.nanoTime();
        int gets = 20_000;
        for (int i = 0; i < gets; i++) {
            store.get(key(i % n)).orElseThrow();
        }
        row(kind, "datastore get", gets, gets * 116L, System.nanoTime() - start, 0, 0);

        start = System.nanoTime();
        long scanned = 0;
        for (int round = 0; round < 3; round++) {
            try (Cursor<Entry> c = store.scan(KeyRange.prefix(new byte[] {0x68, 0x79}))) {
                while (c.hasNext()) {
                    c.next();
                    scanned++;
                }
            }
        }
        row(kind, "datastore scan (entries)", scanned, scanned * 116, System.nanoTime() - start, 0, 0);
    }

    /** RocksDB with synced writes, the embedded alternative measured for the choice of MVStore. */
    private static void rocks(Path dir, double dd4) throws Exception {
        RocksDB.loadLibrary();
        Files.createDirectories(dir);
        try (Options options = new Options().setCreateIfMissing(true);
                RocksDB db = RocksDB.open(options, dir.toString());
                WriteOptions sync = new WriteOptions().setSync(true)) {
            int n = 2000;
            byte[] value = new byte[100];
            RANDOM.nextBytes(value);
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                db.put(sync, key(i), value);
            }
            row("rocksdb", "datastore put 100 B (1 thread)", n, n * 116L, System.nanoTime() - start, 0, dd4 / 4096);
            List<Integer> more = new ArrayList<>();
            for (int i = n; i < 3 * n; i++) {
                more.add(i);
            }
            long nanos = parallel(4, more, i -> db.put(sync, key(i), value));
            row("rocksdb", "datastore put 100 B (4 threads)", more.size(), more.size() * 116L, nanos, 0, dd4 / 4096);
            start = System.nanoTime();
            int gets = 20_000;
            for (int i = 0; i < gets; i++) {
                db.get(key(i % n));
            }
            row("rocksdb", "datastore get", gets, gets * 116L, System.nanoTime() - start, 0, 0);
            start = System.nanoTime();
            long scanned = 0;
            for (int round = 0; round < 3; round++) {
                try (RocksIterator it = db.newIterator()) {
                    for (it.seekToFirst(); it.isValid(); it.next()) {
                        it.key();
                        it.value();
                        scanned++;
                    }
                }
            }
            row("rocksdb", "datastore scan (entries)", scanned, scanned * 116, System.nanoTime() - start, 0, 0);
        }
    }

    private static Properties postgres() throws IOException {
        String tmp = System.getenv("TMPDIR");
        Path file = Path.of(System.getenv().getOrDefault("HYPHAE_PG_DIR", (tmp == null ? "/tmp" : tmp)
                + "/hyphae-postgres-test"), "jdbc.properties");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        return p;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
