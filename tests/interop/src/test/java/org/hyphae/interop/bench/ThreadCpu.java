package org.hyphae.interop.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CPU time per thread of another JVM on Linux, from {@code /proc/<pid>/task/<tid>/stat}, summed by
 * thread name with digits dropped ("C2 CompilerThread0" and "C2 CompilerThread1" are one entry).
 * JFR's execution samples leave out the JIT and GC threads and time spent in the kernel; this does not.
 */
final class ThreadCpu {

    /** Clock ticks per second of utime/stime in /proc; 100 on every Linux this runs on (getconf CLK_TCK). */
    private static final double TICKS = 100.0;

    private ThreadCpu() {
    }

    /** Seconds of user + system CPU per thread name; empty where /proc is not there. */
    static Map<String, Double> snapshot(long pid) {
        Map<String, Double> out = new HashMap<>();
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (Stream<Path> list = Files.list(tasks)) {
            for (Path task : (Iterable<Path>) list::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    // "tid (name) state ...": the name may hold spaces and parentheses, so split at the last ')'.
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String name = stat.substring(open + 1, close).replaceAll("[0-9]+", "N");
                    String[] f = stat.substring(close + 2).split(" ");
                    double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS; // utime, stime
                    out.merge(name, cpu, Double::sum);
                } catch (IOException | RuntimeException gone) {
                    // The thread ended between the listing and the read.
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return out;
    }

    /** The top entries of {@code after - before}, as "name 1.2 s, ..." (a thread's name is Linux's, 15 characters). */
    static String top(Map<String, Double> before, Map<String, Double> after, int entries) {
        return after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0.0)))
                .filter(e -> e.getValue() > 0.05)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(entries)
                .map(e -> String.format("%s %.1f s", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
    }
}
