package org.hyphae.interop.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CPU time per thread of other JVMs on Linux, from {@code /proc/<pid>/task/<tid>/stat}, reported
 * by thread name with digits dropped ("C2 CompilerThread0" and "C2 CompilerThread1" are one entry).
 * JFR's execution samples leave out the JIT and GC threads and time spent in the kernel; this does not.
 *
 * <p>Deltas are taken per thread and only then summed by name: the shell's threads change names
 * between commands ("job controller", "session-N-thread-N"), and summing by name first credited
 * such a thread's whole life to the name it had at the end (6.4 s of "session" CPU in a 3.6 s
 * window). A thread that ends between two snapshots is left out. Also the whole machine's idle,
 * iowait and steal shares ({@link #machine()}), for telling a slow window from a slow machine.
 */
final class ThreadCpu {

    /** Clock ticks per second of utime/stime in /proc; 100 on every Linux this runs on (getconf CLK_TCK). */
    private static final double TICKS = 100.0;

    /** One thread at one moment. */
    record Sample(String name, double cpu) {
    }

    private ThreadCpu() {
    }

    /** The threads of the processes {@code pids}, by "pid/tid"; empty where /proc is not there. */
    static Map<String, Sample> snapshot(long... pids) {
        Map<String, Sample> out = new HashMap<>();
        for (long pid : pids) {
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
                        out.put(pid + "/" + task.getFileName(), new Sample(name, cpu));
                    } catch (IOException | RuntimeException gone) {
                        // The thread ended between the listing and the read.
                    }
                }
            } catch (IOException e) {
                // The process is gone: none of its threads.
            }
        }
        return out;
    }

    /**
     * The top entries of {@code after - before} by thread name (the name at {@code after}), as
     * "name 1.2 s, ..." (a thread's name is Linux's, 15 characters). A thread started in between counts whole.
     */
    static String top(Map<String, Sample> before, Map<String, Sample> after, int entries) {
        Map<String, Double> byName = new HashMap<>();
        after.forEach((task, s) -> {
            Sample earlier = before.get(task);
            byName.merge(s.name(), s.cpu() - (earlier == null ? 0 : earlier.cpu()), Double::sum);
        });
        return byName.entrySet().stream()
                .filter(e -> e.getValue() > 0.05)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(entries)
                .map(e -> String.format("%s %.1f s", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
    }

    /** The machine's CPU ticks so far, the fields of /proc/stat's "cpu" line; empty where it is not there. */
    static long[] machine() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long[] ticks = new long[f.length - 1];
            for (int i = 1; i < f.length; i++) {
                ticks[i - 1] = Long.parseLong(f[i]);
            }
            return ticks;
        } catch (IOException | RuntimeException e) {
            return new long[0];
        }
    }

    /**
     * Where the machine's CPU time went between two {@link #machine()} readings: idle, waiting for
     * I/O, and stolen by the hypervisor for other guests (a window with steal measured a slower machine).
     */
    static String machineShares(long[] before, long[] after) {
        if (before.length < 8 || after.length < 8) {
            return "machine CPU shares unknown";
        }
        long total = 0;
        for (int i = 0; i < 8; i++) { // user nice system idle iowait irq softirq steal; guest is inside user
            total += after[i] - before[i];
        }
        if (total <= 0) {
            return "machine CPU shares unknown";
        }
        double t = total;
        return String.format("machine: %.0f%% idle, %.0f%% iowait, %.0f%% stolen by the hypervisor",
                100 * (after[3] - before[3]) / t, 100 * (after[4] - before[4]) / t, 100 * (after[7] - before[7]) / t);
    }
}
