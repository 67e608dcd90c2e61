package org.hyphae.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A Node.js script from {@code tests/interop/js}, running as a child process that the test talks
 * to in line-delimited JSON (the protocol of {@code js/lib/jsonl-server.mjs}).
 *
 * <p>Requests are {@code {"id":n,"op":"...",...}}; each gets exactly one response
 * {@code {"id":n,"ok":true,...}} or {@code {"id":n,"ok":false,"error":"..."}}. Lines with an
 * {@code "event"} and no {@code "id"} are unsolicited events (the script announces
 * {@code "ready"} first; long-running peers may report connections, messages and so on): they
 * are queued for {@link #awaitEvent}. The script is run as
 * {@code node --import ./node20-shim.mjs <script> <args>} with the js folder as working
 * directory. Everything it writes to stderr is kept and quoted in every failure, so a test that
 * fails shows what the JavaScript side said.
 *
 * <p>Where the js folder is: the system property {@value #JS_DIR_PROPERTY} (the pom sets it),
 * else {@code js} under the working directory. Which node: {@value #NODE_PROPERTY}, else
 * {@code node} on the PATH. Set {@value #ECHO_PROPERTY}{@code =true} to echo the script's stderr
 * live to this process's stderr. Missing npm packages are a failure, never a skip: CI must not
 * pass by running nothing.
 */
public final class JsProcess implements AutoCloseable {

    public static final String JS_DIR_PROPERTY = "hyphae.interop.js.dir";
    public static final String NODE_PROPERTY = "hyphae.interop.node";
    public static final String ECHO_PROPERTY = "hyphae.interop.echo";
    public static final String SHIM = "node20-shim.mjs";

    /** Default time a single request may take. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** Default time the script has to announce that it is ready. */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int STDERR_KEEP = 32 * 1024;

    private final String script;
    private final Process process;
    private final Writer stdin;
    private final StringBuilder stderr = new StringBuilder();
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private final AtomicLong ids = new AtomicLong();
    private final CompletableFuture<Integer> exited = new CompletableFuture<>();
    private volatile Duration timeout = DEFAULT_TIMEOUT;
    private volatile boolean closing;

    private JsProcess(String script, Process process) {
        this.script = script;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /** Starts {@code script} (a path relative to the js folder) with the default startup timeout. */
    public static JsProcess start(String script, String... args) {
        return start(script, DEFAULT_STARTUP_TIMEOUT, List.of(args));
    }

    /**
     * Starts {@code script} with {@code args} and waits until it announces {@code ready}.
     *
     * @throws IllegalStateException if the npm packages are not installed, node cannot be started,
     *     or the script exits or stays silent before it is ready (with its stderr in the message)
     */
    public static JsProcess start(String script, Duration startupTimeout, List<String> args) {
        Path dir = jsDir();
        if (!Files.isRegularFile(dir.resolve(script))) {
            throw new IllegalStateException("no script " + dir.resolve(script));
        }
        List<String> command = new ArrayList<>();
        command.add(System.getProperty(NODE_PROPERTY, "node"));
        command.add("--import");
        command.add("./" + SHIM);
        command.add(script);
        command.addAll(args);
        Process process;
        try {
            process = new ProcessBuilder(command).directory(dir.toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + String.join(" ", command) + " in " + dir
                    + ": is Node.js 20+ installed and on the PATH (or -D" + NODE_PROPERTY + " set)? " + e.getMessage(),
                    e);
        }
        JsProcess js = new JsProcess(script, process);
        js.startReaders();
        try {
            JsonNode ready = js.awaitEvent("ready", startupTimeout);
            Objects.requireNonNull(ready);
        } catch (RuntimeException | AssertionError e) {
            js.close();
            throw new IllegalStateException(script + " did not become ready: " + e.getMessage(), e);
        }
        return js;
    }

    /**
     * The js folder, checked: it must exist and have its npm packages installed.
     *
     * @throws IllegalStateException telling what to run if not
     */
    public static Path jsDir() {
        String configured = System.getProperty(JS_DIR_PROPERTY);
        return checkJsDir(configured == null || configured.isBlank() ? Paths.get("js") : Paths.get(configured));
    }

    static Path checkJsDir(Path configured) {
        Path dir = configured.toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve("package.json"))) {
            throw new IllegalStateException("the interop js folder " + dir + " has no package.json; set -D"
                    + JS_DIR_PROPERTY + " to tests/interop/js");
        }
        if (!Files.isDirectory(dir.resolve("node_modules"))) {
            throw new IllegalStateException("the npm packages for the interop tests are not installed: run `npm ci` in "
                    + dir + " (Maven does it in generate-test-resources unless -D" + "hyphae.interop.npm.skip=true)");
        }
        return dir;
    }

    /** Sets the time each later request may take. */
    public JsProcess timeout(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout);
        return this;
    }

    /** A new request object for {@code op}, to fill in and pass to {@link #call(ObjectNode)}. */
    public static ObjectNode request(String op) {
        ObjectNode request = JSON.createObjectNode();
        request.put("op", op);
        return request;
    }

    /**
     * Sends {@code op} with arguments given as alternating names and values (strings, numbers,
     * booleans, byte arrays — sent as hex — or Jackson nodes) and returns the successful response.
     *
     * @throws JsCallException if the script answers {@code ok:false}
     */
    public JsonNode call(String op, Object... namesAndValues) {
        return call(request(op, namesAndValues));
    }

    /** Sends {@code request} and returns the successful response; see {@link #call(String, Object...)}. */
    public JsonNode call(ObjectNode request) {
        JsonNode response = send(request, timeout);
        if (!response.path("ok").asBoolean(false)) {
            throw new JsCallException(request.path("op").asText(), response.path("error").asText("(no error message)"),
                    request, stderrTail());
        }
        return response;
    }

    /** Sends {@code op} and returns the response as it is, successful or not. */
    public JsonNode send(String op, Object... namesAndValues) {
        return send(request(op, namesAndValues), timeout);
    }

    /**
     * Sends {@code request} (an {@code id} is added) and waits for its response.
     *
     * @throws IllegalStateException if the process has exited, or no answer came in time
     */
    public JsonNode send(ObjectNode request, Duration timeout) {
        long id = ids.incrementAndGet();
        ObjectNode copy = request.deepCopy();
        copy.put("id", id);
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        try {
            String line;
            try {
                line = JSON.writeValueAsString(copy);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(e);
            }
            synchronized (stdin) {
                if (!process.isAlive()) {
                    throw failure("cannot send " + line + ": the process has exited", null);
                }
                stdin.write(line);
                stdin.write('\n');
                stdin.flush();
            }
            if (exited.isDone()) {
                // Exited after our check: the exit handler may already have failed the others.
                answer.completeExceptionally(new IllegalStateException("the process exited with code "
                        + exited.getNow(-1)));
            }
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            throw failure("cannot send " + copy + ": " + e.getMessage(), e);
        } catch (TimeoutException e) {
            throw failure("no answer to " + copy + " within " + timeout, e);
        } catch (ExecutionException e) {
            throw failure("no answer to " + copy + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted waiting for the answer to " + copy, e);
        } finally {
            pending.remove(id);
        }
    }

    /**
     * Waits for the next unsolicited event named {@code name}; events with other names that
     * arrive first are dropped.
     *
     * @throws IllegalStateException if it does not come in time or the process exits first
     */
    public JsonNode awaitEvent(String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                JsonNode event = events.poll(Math.max(0, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100))),
                        TimeUnit.NANOSECONDS);
                if (event != null) {
                    if (name.equals(event.path("event").asText())) {
                        return event;
                    }
                    continue;
                }
                if (exited.isDone() && events.isEmpty()) {
                    throw failure("exited (code " + exited.getNow(-1) + ") before event \"" + name + "\"", null);
                }
                if (left <= 0) {
                    throw failure("no event \"" + name + "\" within " + timeout, null);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted waiting for event \"" + name + "\"", e);
        }
    }

    /** Everything the script has written to stderr so far (the last {@value #STDERR_KEEP} characters). */
    public String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** Closes stdin (the script's cue to exit), waits briefly, then kills the process. */
    @Override
    public void close() {
        closing = true;
        try {
            synchronized (stdin) {
                stdin.close();
            }
        } catch (IOException ignored) {
            // Already gone.
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "JsProcess[" + script + ", pid " + process.pid() + (process.isAlive() ? "" : ", exited") + "]";
    }

    private static ObjectNode request(String op, Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must come in pairs");
        }
        ObjectNode request = request(op);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            String name = (String) namesAndValues[i];
            Object value = namesAndValues[i + 1];
            if (value instanceof byte[] bytes) {
                request.put(name, Hex.encode(bytes));
            } else {
                request.set(name, JSON.valueToTree(value));
            }
        }
        return request;
    }

    private void startReaders() {
        Thread out = new Thread(() -> readStdout(process.getInputStream()), "js-stdout " + script);
        Thread err = new Thread(() -> readStderr(process.getErrorStream()), "js-stderr " + script);
        out.setDaemon(true);
        err.setDaemon(true);
        out.start();
        err.start();
        process.onExit().thenAccept(p -> {
            // Let the readers drain what is left before declaring the process gone.
            try {
                out.join(2000);
                err.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            int code = p.exitValue();
            exited.complete(code);
            IllegalStateException gone = new IllegalStateException("the process exited with code " + code);
            pending.values().forEach(f -> f.completeExceptionally(gone));
        });
    }

    private void readStdout(InputStream in) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode message;
                try {
                    message = JSON.readTree(line);
                } catch (JsonProcessingException notJson) {
                    appendStderr("[stdout, not JSON] " + line + "\n");
                    continue;
                }
                JsonNode id = message.get("id");
                if (id != null && id.canConvertToLong()) {
                    CompletableFuture<JsonNode> waiting = pending.get(id.asLong());
                    if (waiting != null) {
                        waiting.complete(message);
                    } else {
                        appendStderr("[stdout, unexpected answer] " + line + "\n");
                    }
                } else if (message.hasNonNull("event")) {
                    events.add(message);
                } else {
                    // A response without id: the script could not read the request (bad JSON).
                    appendStderr("[stdout, unmatched] " + line + "\n");
                }
            }
        } catch (IOException e) {
            if (!closing) {
                appendStderr("[reading stdout failed: " + e + "]\n");
            }
        }
    }

    private void readStderr(InputStream in) {
        boolean echo = Boolean.getBoolean(ECHO_PROPERTY);
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                appendStderr(line + "\n");
                if (echo) {
                    System.err.println("[" + script + "] " + line);
                }
            }
        } catch (IOException e) {
            if (!closing) {
                appendStderr("[reading stderr failed: " + e + "]\n");
            }
        }
    }

    private void appendStderr(String text) {
        synchronized (stderr) {
            stderr.append(text);
            if (stderr.length() > STDERR_KEEP) {
                stderr.delete(0, stderr.length() - STDERR_KEEP);
            }
        }
    }

    private String stderrTail() {
        String text = stderr();
        return text.isEmpty() ? "(nothing on stderr)" : text;
    }

    private IllegalStateException failure(String what, Throwable cause) {
        return new IllegalStateException(script + " (pid " + process.pid() + "): " + what + "\n--- stderr of "
                + script + " ---\n" + stderrTail(), cause);
    }

    /** The script answered {@code ok:false}: it rejected or failed the request. */
    public static final class JsCallException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String op;
        private final String error;

        JsCallException(String op, String error, JsonNode request, String stderr) {
            super("js " + op + " failed: " + error + "\nrequest: " + request + "\n--- stderr ---\n" + stderr);
            this.op = op;
            this.error = error;
        }

        public String op() {
            return op;
        }

        /** The script's error message. */
        public String error() {
            return error;
        }
    }
}
