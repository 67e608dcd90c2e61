package org.hyphae.bench.jmh;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.multiformats.Multihash;
import org.hyphae.storage.StorageException;
import org.hyphae.storage.base.BlockDigest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Checking a 256 KiB block against its CID, as every store read and write does
 * ({@link BlockDigest#matches}), against the JDK's SHA-256 of the same bytes: the hash's own speed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BlockVerifyBench {

    /** The default UnixFS chunk. */
    static final int BLOCK = 256 * 1024;

    private byte[] block;
    private Cid cid;
    private MessageDigest sha256;

    @Setup
    public void setUp() throws NoSuchAlgorithmException {
        block = new byte[BLOCK];
        new Random(3).nextBytes(block);
        cid = Cid.v1(Multicodec.RAW, Multihash.sha2_256(block));
        sha256 = MessageDigest.getInstance("SHA-256");
    }

    @Benchmark
    public boolean blockDigestMatches() throws StorageException {
        return BlockDigest.matches(cid, block);
    }

    @Benchmark
    public byte[] jdkSha256() {
        return sha256.digest(block);
    }
}
