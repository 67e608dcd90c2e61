package org.hyphae.bench.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.multiformats.Multihash;
import org.hyphae.storage.StorageException;
import org.hyphae.storage.fs.BlockFiles;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading a 256 KiB block from the fs store ({@link BlockFiles#get}), as a seeding node does for
 * every block it serves: checked against the CRC32C stored with it, and checked against its CID
 * (a file without the checksum attribute); the limit is reading the file alone. Files go to
 * {@code /dev/shm} where it exists (what is measured is the CPU, not a disk).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BlockFileReadBench {

    private Path dir;
    private BlockFiles store;
    private Cid withChecksum;
    private Cid withoutChecksum;
    private Path file;

    @Setup
    public void setUp() throws IOException, StorageException {
        Path shm = Path.of("/dev/shm");
        dir = Files.createTempDirectory(Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir")), "jmh-blocks");
        store = new BlockFiles(dir);
        Random random = new Random(3);
        withChecksum = put(random);
        withoutChecksum = put(random);
        Files.getFileAttributeView(store.pathOf(withoutChecksum), UserDefinedFileAttributeView.class).delete("hyphae.crc32c");
        file = store.pathOf(withChecksum);
    }

    private Cid put(Random random) throws StorageException {
        byte[] block = new byte[BlockVerifyBench.BLOCK];
        random.nextBytes(block);
        Cid cid = Cid.v1(Multicodec.RAW, Multihash.sha2_256(block));
        store.put(cid, block);
        return cid;
    }

    @TearDown
    public void tearDown() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public byte[] getCheckedByChecksum() throws StorageException {
        return store.get(withChecksum).orElseThrow();
    }

    @Benchmark
    public byte[] getCheckedByHash() throws StorageException {
        return store.get(withoutChecksum).orElseThrow();
    }

    @Benchmark
    public byte[] readFileAlone() throws IOException {
        return Files.readAllBytes(file);
    }
}
