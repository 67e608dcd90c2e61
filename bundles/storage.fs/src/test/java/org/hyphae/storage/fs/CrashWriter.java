package org.hyphae.storage.fs;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;

import org.hyphae.storage.Datastore;
import org.hyphae.storage.testkit.SampleBlock;

/**
 * The writer process of {@link CrashTest}: opens the fs stores in a data directory and writes until
 * it is killed, printing one line per acknowledged write after the call returned:
 * <pre>
 * ACK block &lt;cid&gt;
 * ACK key &lt;hex key&gt; &lt;hex value&gt;
 * ACK batch &lt;hex prefix&gt; &lt;entries&gt;
 * </pre>
 * Before each batch it prints {@code BEGIN batch <prefix> <entries>}, so the test can check that a
 * batch cut short by the kill is all there or not at all.
 */
public final class CrashWriter {

    private CrashWriter() {
    }

    /**
     * Writes until killed.
     *
     * @param args data directory, run number (distinguishes keys across runs)
     * @throws Exception on any failure, which ends the process with a stack trace
     */
    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        int run = Integer.parseInt(args[1]);
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        BlockFiles blocks = new BlockFiles(data.resolve("blocks"));
        MvStoreDatastore datastore = new MvStoreDatastore(data.resolve("datastore").resolve("datastore.mv"));
        Random random = new Random(run * 7919L);
        HexFormat hex = HexFormat.of();
        out.println("READY");
        out.flush();
        for (int i = 0; ; i++) {
            switch (i % 3) {
                case 0 -> {
                    SampleBlock b = SampleBlock.random(random, 1 + random.nextInt(200_000));
                    blocks.put(b.cid(), b.data());
                    out.println("ACK block " + b.cid());
                }
                case 1 -> {
                    byte[] key = ("r" + run + "/k" + i).getBytes(StandardCharsets.UTF_8);
                    byte[] value = new byte[random.nextInt(2000)];
                    random.nextBytes(value);
                    datastore.put(key, value);
                    out.println("ACK key " + hex.formatHex(key) + " " + hex.formatHex(value));
                }
                default -> {
                    String prefix = hex.formatHex(("r" + run + "/b" + i + "/").getBytes(StandardCharsets.UTF_8));
                    int entries = 2 + random.nextInt(50);
                    out.println("BEGIN batch " + prefix + " " + entries);
                    out.flush();
                    try (Datastore.Batch batch = datastore.batch()) {
                        for (int e = 0; e < entries; e++) {
                            byte[] value = new byte[random.nextInt(500)];
                            random.nextBytes(value);
                            batch.put(hex.parseHex(prefix + String.format("%04x", e)), value);
                        }
                        batch.commit();
                    }
                    out.println("ACK batch " + prefix + " " + entries);
                }
            }
            out.flush();
        }
    }
}
