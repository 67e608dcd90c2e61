package org.hyphae.tests.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A node started from the assembled distribution ({@code bin/hyphae}) as its own process, with its
 * output collected line by line so tests can wait for what an operator would see.
 */
public final class NodeProcess implements AutoCloseable {

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final long startedNanos = System.nanoTime();
    private final Writer stdin;
    private static final String PROMPT = "g! ";

    private NodeProcess(Process process) {
        this.process = process;
        this.stdin = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::collect, "node-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** The assembled node folder: system property {@code hyphae.distribution}, else the build's. */
    public static Path distribution() {
        Path home = Path.of(System.getProperty("hyphae.distribution", "../../distribution/target/hyphae"));
        if (!Files.isExecutable(home.resolve("bin/hyphae"))) {
            throw new IllegalStateException("no assembled node at " + home.toAbsolutePath()
                    + ": build the distribution module first (mvn install -pl distribution -am)");
        }
        return home;
    }

    /**
     * Another assembled distribution beside the full node's, by its {@code .bndrun} name, for
     * example {@code relay} or {@code seed} ({@code distribution/target/<name>}).
     */
    public static Path distribution(String name) {
        Path home = distribution().toAbsolutePath().normalize().resolveSibling(name);
        if (!Files.isExecutable(home.resolve("bin/hyphae"))) {
            throw new IllegalStateException("no assembled " + name + " distribution at " + home
                    + ": build the distribution module first (mvn install -pl distribution -am)");
        }
        return home;
    }

    /** Starts {@code bin/hyphae} of the assembled distribution in {@code workingDir}. */
    public static NodeProcess start(Path workingDir, String... args) throws IOException {
        return start(distribution(), workingDir, args);
    }

    /**
     * Starts {@code bin/hyphae} of the node folder {@code home}, listening on 127.0.0.1 unless the
     * arguments say {@code --listen} (for example a private copy made by
     * {@link #copyDistribution(Path)}, whose deploy/ folder a test may fill).
     */
    public static NodeProcess start(Path home, Path workingDir, String... args) throws IOException {
        return startWithJavaOpts(home, workingDir, "", args);
    }

    /**
     * Starts {@code bin/hyphae} of {@code home} with extra JVM options (the launcher's
     * {@code JAVA_OPTS}, for example a GC log for a benchmark), otherwise as above.
     */
    public static NodeProcess startWithJavaOpts(Path home, Path workingDir, String javaOpts, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/hyphae").toAbsolutePath().toString());
        command.addAll(List.of(args));
        if (!command.contains("--listen")) {
            // Tests stay on loopback.
            command.addAll(List.of("--listen", "127.0.0.1"));
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true);
        if (!javaOpts.isBlank()) {
            String inherited = System.getenv().getOrDefault("JAVA_OPTS", "");
            builder.environment().put("JAVA_OPTS", (inherited + " " + javaOpts).trim());
        }
        return new NodeProcess(builder.start());
    }

    /** A private copy of the assembled node folder under {@code target}, for tests that change it. */
    public static Path copyDistribution(Path target) throws IOException {
        Path source = distribution();
        try (java.util.stream.Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path copy = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return target;
    }

    private void collect() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException ended) {
            // the process went away; what it printed is kept
        }
    }

    /** Waits for a line matching {@code match}; returns it, or fails with everything printed so far. */
    public String awaitLine(Predicate<String> match, long timeoutSeconds) throws InterruptedException {
        return awaitLine(0, match, timeoutSeconds);
    }

    /** How many lines the node has printed so far: a mark for {@link #awaitLine(int, Predicate, long)}. */
    public int lineCount() {
        synchronized (lines) {
            return lines.size();
        }
    }

    /**
     * Types a command into the node's interactive shell and waits for a line of its answer that
     * matches {@code match} (only lines printed after the command was sent count).
     */
    public String command(String commandLine, Predicate<String> match, long timeoutSeconds)
            throws IOException, InterruptedException {
        int mark = lineCount();
        Writer in = stdin();
        in.write(commandLine + "\n");
        in.flush();
        return awaitLine(mark, match, timeoutSeconds);
    }

    /**
     * Types a command into the node's interactive shell and returns everything it printed: the
     * lines up to an {@code echo} marker sent right after it (the shell runs commands in order).
     */
    public String commandOutput(String commandLine, long timeoutSeconds) throws IOException, InterruptedException {
        int mark = lineCount();
        String marker = "end-of-output-" + System.nanoTime();
        Writer in = stdin();
        in.write(commandLine + "\n");
        in.write("echo " + marker + "\n");
        in.flush();
        awaitLine(mark, l -> l.endsWith(marker) && !l.contains("echo " + marker), timeoutSeconds);
        synchronized (lines) {
            List<String> printed = new ArrayList<>();
            for (int i = mark; i < lines.size() && !(lines.get(i).endsWith(marker) && !lines.get(i).contains("echo ")); i++) {
                String line = lines.get(i);
                while (line.startsWith(PROMPT)) { // the shell's prompt has no newline of its own
                    line = line.substring(PROMPT.length());
                }
                printed.add(line);
            }
            return String.join("\n", printed);
        }
    }

    /** Like {@link #awaitLine(Predicate, long)}, looking only at lines from number {@code from} on. */
    public String awaitLine(int from, Predicate<String> match, long timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        synchronized (lines) {
            int seen = from;
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (match.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("timed out after " + timeoutSeconds + " s; node printed:\n" + output());
                }
                TimeUnit.NANOSECONDS.timedWait(lines, left);
            }
        }
    }

    public String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    public long millisSinceStart() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    public Writer stdin() {
        return stdin;
    }

    public Process process() {
        return process;
    }

    /** Sends SIGTERM and waits for the exit status. */
    public int terminate(long timeoutSeconds) throws InterruptedException {
        process.destroy();
        return awaitExit(timeoutSeconds);
    }

    public int awaitExit(long timeoutSeconds) throws InterruptedException {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            throw new AssertionError("node did not exit within " + timeoutSeconds + " s; printed:\n" + output());
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
