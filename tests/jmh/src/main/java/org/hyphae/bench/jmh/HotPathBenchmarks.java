package org.hyphae.bench.jmh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import org.hyphae.identity.internal.Ed25519KeyPair;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the JMH hot-path benchmarks and prints each as MB/s (or verifications/s) and as a ratio to the
 * primitive it wraps, measured in the same run (1.00 = no overhead). Arguments: an optional regular expression
 * choosing benchmarks (default: all).
 */
public final class HotPathBenchmarks {

    private HotPathBenchmarks() {
    }

    public static void main(String[] args) throws RunnerException, java.io.IOException {
        String include = args.length > 0 ? args[0] : "org\\.hyphae\\.bench\\.jmh\\..*";
        Options options = new OptionsBuilder().include(include).build();
        Collection<RunResult> results = new Runner(options).run();
        Map<String, Double> opsPerSecond = new HashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            opsPerSecond.put(name.substring(name.lastIndexOf('.') + 1), r.getPrimaryResult().getScore());
        }
        System.out.println();
        System.out.printf("hot paths (Java %s, load average %s)%n", Runtime.version(), load());
        // Each sealAndOpen moves the payload through the cipher twice.
        ratio(opsPerSecond, "noiseSealAndOpen", "jdkSealAndOpen", 2.0 * NoiseCipherBench.PAYLOAD,
                "Noise transport cipher (seal + open, 64 KiB messages) vs JDK ChaCha20-Poly1305");
        ratio(opsPerSecond, "noiseSealAndOpenHeap", "jdkSealAndOpen", 2.0 * NoiseCipherBench.PAYLOAD,
                "the same on heap buffers");
        ratio(opsPerSecond, "blockDigestMatches", "jdkSha256", BlockVerifyBench.BLOCK,
                "block check against its CID (256 KiB) vs JDK SHA-256");
        ratio(opsPerSecond, "getCheckedByChecksum", "readFileAlone", BlockVerifyBench.BLOCK,
                "fs store read of a 256 KiB block, checked by its CRC32C, vs reading the file alone");
        ratio(opsPerSecond, "getCheckedByHash", "readFileAlone", BlockVerifyBench.BLOCK,
                "the same checked against its CID (SHA-256), vs reading the file alone");
        if (opsPerSecond.containsKey("nodeVerify")) {
            System.out.printf("  Ed25519 verifier of the node: %s%n", Ed25519KeyPair.verifier());
        }
        rate(opsPerSecond, "nodeVerify", "bouncyCastleVerify",
                "Ed25519 verify, valid (node: libsodium first) vs BouncyCastle alone, one core");
        rate(opsPerSecond, "nodeVerifyInvalid", "bouncyCastleVerifyInvalid",
                "Ed25519 verify, invalid (node: libsodium, then BouncyCastle) vs BouncyCastle alone");
    }

    private static void rate(Map<String, Double> ops, String ours, String limit, String what) {
        Double a = ops.get(ours);
        Double b = ops.get(limit);
        if (a == null || b == null) {
            return;
        }
        System.out.printf("  %s: %.0f/s vs %.0f/s = %.2f%n", what, a, b, a / b);
    }

    private static void ratio(Map<String, Double> ops, String ours, String limit, double bytesPerOp, String what) {
        Double a = ops.get(ours);
        Double b = ops.get(limit);
        if (a == null || b == null) {
            return;
        }
        System.out.printf("  %s: %.0f MB/s vs %.0f MB/s = %.2f%n", what, a * bytesPerOp / 1e6, b * bytesPerOp / 1e6, a / b);
    }

    private static String load() throws java.io.IOException {
        Path loadavg = Path.of("/proc/loadavg");
        return Files.exists(loadavg) ? Files.readString(loadavg).split(" ")[0] : "unknown";
    }
}
