package org.hyphae.launcher;

import java.nio.file.Path;
import java.util.List;

/**
 * The command line of {@code bin/hyphae}.
 *
 * @param home the distribution folder (bundles/, config/, deploy/)
 * @param data the node's data directory
 * @param port the TCP listen port; later transports take the ports after it
 * @param headless no interactive shell
 * @param listenHost the IP address the transports listen on
 * @param httpPort the port of the metrics endpoint and dashboard (always on 127.0.0.1 unless the
 *     operator configures {@code org.apache.felix.http.host}); 0 picks a free one
 */
record LaunchOptions(Path home, Path data, int port, boolean headless, String listenHost, int httpPort) {

    static final int DEFAULT_PORT = 4001;
    static final int DEFAULT_HTTP_PORT = 5001;
    static final String USAGE = """
            Usage: hyphae [start] [--data <dir>] [--port <n>] [--listen <ip>] [--headless]
              --data <dir>   data directory (identity.key, config/, stores); default ./data
              --port <n>     TCP listen port (WebSocket on the next); 0 picks free ones; default 4001
              --listen <ip>  address to listen on, e.g. 127.0.0.1; default 0.0.0.0 (all)
              --http-port <n>  port of /metrics and the dashboard on 127.0.0.1; default 5001,
                             or a free one when --port is 0
              --headless     no interactive shell (for services); stop with SIGTERM
              --help         this text
            Commands for a running node: hyphae status | add | get | tx-send (hyphae status --help)""";

    /**
     * Parses the arguments.
     *
     * @throws IllegalArgumentException with a message fit for the user
     */
    static LaunchOptions parse(List<String> args, Path home) {
        Path data = Path.of("data");
        int port = DEFAULT_PORT;
        boolean headless = false;
        String listenHost = "0.0.0.0";
        Integer httpPort = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--data" -> data = Path.of(value(args, ++i, arg));
                case "--port" -> port = port(value(args, ++i, arg), arg);
                case "--headless" -> headless = true;
                case "--listen" -> listenHost = ip(value(args, ++i, arg));
                case "--http-port" -> httpPort = port(value(args, ++i, arg), arg);
                default -> throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        if (httpPort == null) {
            httpPort = port == 0 ? 0 : DEFAULT_HTTP_PORT;
        }
        return new LaunchOptions(home.toAbsolutePath().normalize(), data.toAbsolutePath().normalize(), port, headless,
                listenHost, httpPort);
    }

    private static String value(List<String> args, int index, String option) {
        if (index >= args.size() || args.get(index).startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(index);
    }

    /** An IPv4 or IPv6 literal; names are refused (no DNS lookup at start-up). */
    private static String ip(String text) {
        if (text.matches("[0-9.]+") && text.split("\\.").length == 4 || text.contains(":")) {
            return text;
        }
        throw new IllegalArgumentException("--listen must be an IP address such as 127.0.0.1 or ::1, got \"" + text + "\"");
    }

    private static int port(String text, String option) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(option + " must be a number from 0 to 65535, got \"" + text + "\"");
    }
}
