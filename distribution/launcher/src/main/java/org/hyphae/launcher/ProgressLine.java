package org.hyphae.launcher;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of a long command. On a terminal: one line redrawn in place with a bar, bytes, rate,
 * peers and ETA; otherwise (a pipe, a log file) a plain line at most every {@link #PLAIN_EVERY_S}
 * seconds, without control characters.
 */
final class ProgressLine {

    static final double PLAIN_EVERY_S = 1.0;
    static final int BAR_WIDTH = 24;
    private final PrintStream out;
    private final boolean terminal;
    private double lastPlain = -PLAIN_EVERY_S;
    private boolean drawn;

    ProgressLine(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Shows the state of a transfer: {@code total} is -1 while unknown. */
    void transfer(long bytes, long total, int peers, double seconds) {
        double rate = seconds > 0 ? bytes / seconds : 0;
        String eta = total > 0 && rate > 0 ? String.format(Locale.ROOT, "%.0f s", Math.max(0, (total - bytes) / rate)) : "?";
        String figures = size(bytes) + (total >= 0 ? " / " + size(total) : "") + "  " + size((long) rate) + "/s  peers "
                + peers + "  ETA " + eta;
        if (terminal) {
            redraw(bar(total > 0 ? (double) bytes / total : -1) + " " + figures);
        } else {
            plain(seconds, (total > 0 ? String.format(Locale.ROOT, "%3.0f%% ", 100.0 * bytes / total) : "") + figures);
        }
    }

    /** Shows a wait: what is awaited and for how long so far. */
    void waiting(String what, double seconds) {
        String text = what + "  " + String.format(Locale.ROOT, "%.1f s", seconds);
        if (terminal) {
            String spinner = "|/-\\".charAt((int) (seconds * 4) % 4) + " ";
            redraw(spinner + text);
        } else {
            plain(seconds, text);
        }
    }

    /** Ends the progress display so the next output starts on its own line. */
    void finish() {
        if (terminal && drawn) {
            out.print("\r\033[2K");
            out.flush();
            drawn = false;
        }
    }

    private void redraw(String line) {
        out.print("\r\033[2K" + line);
        out.flush();
        drawn = true;
    }

    private void plain(double seconds, String line) {
        if (seconds - lastPlain >= PLAIN_EVERY_S) {
            lastPlain = seconds;
            out.println(line);
            out.flush();
        }
    }

    static String bar(double fraction) {
        if (fraction < 0) {
            return "[" + " ".repeat(BAR_WIDTH) + "]    ";
        }
        int full = (int) Math.round(Math.min(1, fraction) * BAR_WIDTH);
        return "[" + "#".repeat(full) + "-".repeat(BAR_WIDTH - full) + "] "
                + String.format(Locale.ROOT, "%3.0f%%", 100 * Math.min(1, fraction));
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        if (bytes < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    }
}
