package org.hyphae.bench.jmh;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.hyphae.identity.internal.Ed25519KeyPair;
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
 * Ed25519 verification as every node checks every transaction ({@link Ed25519KeyPair#verify}: the
 * system's libsodium first where it is loaded, BouncyCastle for what it rejects) against BouncyCastle
 * alone ({@link Ed25519KeyPair#verifyWithBouncyCastle}), on 64 senders' 150-byte messages (a transfer's
 * size) with their keys already decoded, as the ledger's are. Invalid signatures cost both libraries
 * on the native path; they are measured too.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
// JNA loads native code: allowed, so that Java 24+ does not warn (Java 17 accepts the flag too).
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class Ed25519VerifyBench {

    private static final int SENDERS = 64;

    private final byte[][] keys = new byte[SENDERS][];
    private final byte[][] messages = new byte[SENDERS][150];
    private final byte[][] signatures = new byte[SENDERS][];
    private final byte[][] badSignatures = new byte[SENDERS][];
    private int next;

    @Setup
    public void setUp() {
        Random random = new Random(25519);
        for (int i = 0; i < SENDERS; i++) {
            byte[] seed = new byte[32];
            random.nextBytes(seed);
            random.nextBytes(messages[i]);
            Ed25519KeyPair pair = Ed25519KeyPair.fromSeed(seed);
            keys[i] = pair.publicKeyProtobuf();
            signatures[i] = pair.sign(messages[i]);
            badSignatures[i] = signatures[i].clone();
            badSignatures[i][40] ^= 1;
            if (!Ed25519KeyPair.verify(keys[i], messages[i], signatures[i])
                    || Ed25519KeyPair.verify(keys[i], messages[i], badSignatures[i])) {
                throw new IllegalStateException("verification is broken");
            }
        }
    }

    @Benchmark
    public boolean nodeVerify() {
        int i = next++ & (SENDERS - 1);
        return Ed25519KeyPair.verify(keys[i], messages[i], signatures[i]);
    }

    @Benchmark
    public boolean bouncyCastleVerify() {
        int i = next++ & (SENDERS - 1);
        return Ed25519KeyPair.verifyWithBouncyCastle(keys[i], messages[i], signatures[i]);
    }

    @Benchmark
    public boolean nodeVerifyInvalid() {
        int i = next++ & (SENDERS - 1);
        return Ed25519KeyPair.verify(keys[i], messages[i], badSignatures[i]);
    }

    @Benchmark
    public boolean bouncyCastleVerifyInvalid() {
        int i = next++ & (SENDERS - 1);
        return Ed25519KeyPair.verifyWithBouncyCastle(keys[i], messages[i], badSignatures[i]);
    }
}
