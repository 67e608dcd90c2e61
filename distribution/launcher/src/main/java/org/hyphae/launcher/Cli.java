package org.hyphae.launcher;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * The subcommands of {@code bin/hyphae} that command a running node through its control API:
 * {@code status}, {@code add}, {@code get} and {@code tx-send}. Exit status: 0 done, 1 the node
 * could not do it, 2 bad usage or input, 3 no node runs on that data directory.
 */
final class Cli {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int BAD_INPUT = 2;
    static final int NO_NODE = 3;
    static final Set<String> COMMANDS = Set.of("status", "add", "get", "tx-send");
    static final String USAGE = """
            Usage: hyphae [start] [--data <dir>] [--port <n>] ...   start a node (hyphae start --help)
                   hyphae status  [--data <dir>]                      what the running node is doing
                   hyphae add     [--data <dir>] <path>               import a file or folder, pin it, print its CID
                   hyphae get     [--data <dir>] <cid> <path>         fetch from the swarm and write to <path>
                   hyphae tx-send [--data <dir>] [--fee <n>] [--wait <s>] <to peer id> <amount>
                                                                      send a transfer, wait until it is in a block
              --data <dir>  the running node's data directory (default ./data)
            Exit status: 0 done, 1 the node could not do it, 2 bad usage or input, 3 no node running.""";

    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;

    Cli(PrintStream out, PrintStream err, boolean terminal) {
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    /** Runs {@code args} ({@code args[0]} is one of {@link #COMMANDS}) and returns the exit status. */
    int run(List<String> args) {
        String command = args.get(0);
        Path data = Path.of("data");
        Long fee = null;
        Long waitSeconds = null;
        List<String> operands = new ArrayList<>();
        try {
            for (int i = 1; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--data" -> data = Path.of(value(args, ++i, a));
                    case "--fee" -> fee = number(value(args, ++i, a), a, 0);
                    case "--wait" -> waitSeconds = number(value(args, ++i, a), a, 1);
                    case "--help" -> {
                        out.println(USAGE);
                        return OK;
                    }
                    default -> {
                        if (a.startsWith("--")) {
                            throw new UsageError("unknown option " + a + " for " + command);
                        }
                        operands.add(a);
                    }
                }
            }
            data = data.toAbsolutePath().normalize();
            return switch (command) {
                case "status" -> status(data, operands);
                case "add" -> add(data, operands);
                case "get" -> get(data, operands);
                case "tx-send" -> txSend(data, operands, fee, waitSeconds);
                default -> throw new UsageError("unknown command " + command);
            };
        } catch (UsageError e) {
            err.println("hyphae " + command + ": " + e.getMessage());
            err.println(USAGE);
            return BAD_INPUT;
        } catch (IllegalArgumentException e) {
            err.println("hyphae " + command + ": " + e.getMessage());
            return BAD_INPUT;
        } catch (ControlClient.Failure f) {
            err.println("hyphae " + command + ": " + f.getMessage());
            return f.exitStatus;
        }
    }

    private int status(Path data, List<String> operands) throws ControlClient.Failure {
        operands(operands, 0, "status takes no operands");
        JsonObject s = ControlClient.forDataDirectory(data).call("status", null);
        out.println("peer id    " + text(s.get("peerId")));
        for (JsonElement a : s.getAsJsonArray("addresses")) {
            out.println("listening  " + a.getAsString());
        }
        out.println("peers      " + (s.has("peers") ? s.get("peers").getAsLong() : 0));
        JsonElement chain = s.get("chain");
        if (chain != null && chain.isJsonObject()) {
            JsonObject c = chain.getAsJsonObject();
            out.println("chain      " + c.get("id").getAsString() + " at #" + c.get("height").getAsLong() + " "
                    + c.get("head").getAsString() + " (engine " + c.get("engine").getAsString() + ", "
                    + c.get("pending").getAsLong() + " pending)");
        }
        for (JsonElement a : s.getAsJsonArray("areas")) {
            JsonObject area = a.getAsJsonObject();
            List<String> active = new ArrayList<>();
            area.getAsJsonArray("active").forEach(n -> active.add(n.getAsString()));
            out.printf("%-10s %s%n", area.get("area").getAsString(), active.isEmpty() ? "-" : String.join(", ", active));
        }
        return OK;
    }

    private int add(Path data, List<String> operands) throws ControlClient.Failure {
        operands(operands, 1, "add takes one path");
        Path path = Path.of(operands.get(0)).toAbsolutePath().normalize();
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("no such file or folder: " + path);
        }
        JsonObject body = new JsonObject();
        body.addProperty("path", path.toString());
        out.println(ControlClient.forDataDirectory(data).call("add", body).get("cid").getAsString());
        return OK;
    }

    private int get(Path data, List<String> operands) throws ControlClient.Failure {
        operands(operands, 2, "get takes a CID and a path");
        Path target = Path.of(operands.get(1)).toAbsolutePath().normalize();
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(target + " already exists; give a path that does not");
        }
        JsonObject body = new JsonObject();
        body.addProperty("cid", operands.get(0));
        body.addProperty("path", target.toString());
        ProgressLine progress = new ProgressLine(out, terminal);
        JsonObject done;
        try {
            done = ControlClient.forDataDirectory(data).stream("get", body, e -> {
                if (e.get("event").getAsString().equals("progress")) {
                    progress.transfer(e.get("bytes").getAsLong(), e.get("total").getAsLong(), e.get("peers").getAsInt(),
                            e.get("seconds").getAsDouble());
                }
            });
        } finally {
            progress.finish();
        }
        double seconds = done.get("seconds").getAsDouble();
        long bytes = done.get("bytes").getAsLong();
        out.printf("got %s (%s in %.1f s, %s/s) to %s%n", done.get("cid").getAsString(), ProgressLine.size(bytes), seconds,
                ProgressLine.size(seconds > 0 ? (long) (bytes / seconds) : bytes), done.get("path").getAsString());
        return OK;
    }

    private int txSend(Path data, List<String> operands, Long fee, Long waitSeconds) throws ControlClient.Failure {
        operands(operands, 2, "tx-send takes a recipient peer id and an amount");
        long amount = number(operands.get(1), "the amount", 1);
        JsonObject body = new JsonObject();
        body.addProperty("to", operands.get(0));
        body.addProperty("amount", amount);
        if (fee != null) {
            body.addProperty("fee", fee);
        }
        if (waitSeconds != null) {
            body.addProperty("wait", waitSeconds);
        }
        ProgressLine progress = new ProgressLine(out, terminal);
        JsonObject done;
        try {
            done = ControlClient.forDataDirectory(data).stream("tx-send", body, e -> {
                switch (e.get("event").getAsString()) {
                    case "submitted" -> {
                        progress.finish();
                        out.println("submitted " + e.get("tx").getAsString() + " (nonce " + e.get("nonce").getAsLong() + ")");
                    }
                    case "waiting" -> progress.waiting("waiting for a block (chain at #" + e.get("height").getAsLong() + ")",
                            e.get("seconds").getAsDouble());
                    default -> { }
                }
            });
        } finally {
            progress.finish();
        }
        out.printf("included in block #%d %s at index %d after %.1f s%n", done.get("height").getAsLong(),
                done.get("block").getAsString(), done.get("index").getAsInt(), done.get("seconds").getAsDouble());
        return OK;
    }

    private static void operands(List<String> operands, int count, String message) {
        if (operands.size() != count) {
            throw new UsageError(message + (operands.isEmpty() ? "" : ", got " + operands));
        }
    }

    private static String value(List<String> args, int index, String option) {
        if (index >= args.size() || args.get(index).startsWith("--")) {
            throw new UsageError(option + " needs a value");
        }
        return args.get(index);
    }

    private static long number(String text, String what, long min) {
        try {
            long v = Long.parseLong(text);
            if (v >= min) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(what + " must be a whole number of at least " + min + ", got \"" + text + "\"");
    }

    /** The command line itself is wrong (not the values in it): the usage is printed too. */
    static final class UsageError extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }

    private static String text(JsonElement e) {
        return e == null || e.isJsonNull() ? "-" : e.getAsString();
    }
}
