package org.hyphae.files.internal;

import java.io.PrintStream;
import java.util.function.IntSupplier;

import org.hyphae.files.ProgressListener;

/**
 * The live progress line of {@code hyphae:get}: bytes so far (of the total once known), rate, peers
 * delivering, ETA. Rewritten in place ({@code \r}) at most four times a second.
 */
final class FetchProgress implements ProgressListener {

    private final PrintStream out;
    private final IntSupplier peers;
    private final long start = System.nanoTime();
    private long lastPrint;
    private volatile long bytes;
    private volatile long total = -1;

    FetchProgress(PrintStream out, IntSupplier peers) {
        this.out = out;
        this.peers = peers;
    }

    @Override
    public void progress(long bytesDone, long bytesTotal) {
        bytes = bytesDone;
        total = bytesTotal;
        long now = System.nanoTime();
        if (now - lastPrint >= 250_000_000L) {
            lastPrint = now;
            print(false);
        }
    }

    long bytes() {
        return bytes;
    }

    double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    double rate() {
        double s = seconds();
        return s <= 0 ? 0 : bytes / s;
    }

    void finish() {
        print(true);
    }

    private void print(boolean last) {
        double rate = rate();
        String eta = total > 0 && rate > 0 ? String.format("%.0f s", Math.max(0, (total - bytes) / rate)) : "?";
        String line = size(bytes) + (total >= 0 ? " / " + size(total) : "") + "  " + size((long) rate) + "/s  peers "
                + peers.getAsInt() + "  ETA " + (last ? "0 s" : eta);
        out.print("\r" + line + "    " + (last ? "\n" : ""));
        out.flush();
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format("%.1f KiB", bytes / 1024.0);
        }
        if (bytes < 1024L * 1024 * 1024) {
            return String.format("%.1f MiB", bytes / (1024.0 * 1024));
        }
        return String.format("%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    }
}
