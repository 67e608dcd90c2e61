package org.hyphae.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * Starts a Hyphae node: the Felix framework with every bundle of the distribution's
 * {@code bundles/} folder, Felix fileinstall watching {@code deploy/} (bundles) and the data
 * directory's {@code config/} (Config Admin files), and a clean stop on SIGTERM.
 *
 * <p>Not bnd's exported-jar launcher: that one fails on Java 25, and the node wants Java 25 for its
 * ChaCha20-Poly1305 speed.
 */
public final class Main {

    /** System property a bundle sets before stopping the framework to make the node exit non-zero. */
    static final String EXIT_STATUS_PROPERTY = "hyphae.exit.status";
    static final int RECOMMENDED_JAVA = 25;

    private Main() {}

    public static void main(String[] args) {
        List<String> arguments = List.of(args);
        if (!arguments.isEmpty() && Cli.COMMANDS.contains(arguments.get(0))) {
            // Commands for a running node: the terminal check comes from bin/hyphae ([ -t 1 ]).
            boolean terminal = Boolean.getBoolean("hyphae.tty");
            System.exit(new Cli(System.out, System.err, terminal).run(arguments));
            return;
        }
        if (!arguments.isEmpty() && arguments.get(0).equals("start")) {
            args = arguments.subList(1, arguments.size()).toArray(new String[0]);
        } else if (!arguments.isEmpty() && !arguments.get(0).startsWith("--")) {
            System.err.println("hyphae: unknown command " + arguments.get(0));
            System.err.println(Cli.USAGE);
            System.exit(Cli.BAD_INPUT);
            return;
        }
        LaunchOptions options;
        try {
            if (Arrays.asList(args).contains("--help")) {
                System.out.println(LaunchOptions.USAGE);
                return;
            }
            options = LaunchOptions.parse(List.of(args), home());
        } catch (IllegalArgumentException e) {
            System.err.println("hyphae: " + e.getMessage());
            System.err.println(LaunchOptions.USAGE);
            System.exit(2);
            return;
        }
        System.exit(run(options));
    }

    static int run(LaunchOptions options) {
        warnOnOldJava();
        configureLogging();
        Framework framework;
        try {
            prepareDataDirectory(options);
            framework = ServiceLoader.load(FrameworkFactory.class).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path"))
                    .newFramework(frameworkProperties(options));
            framework.init();
            installBundles(framework.getBundleContext(), options.home().resolve("bundles"));
        } catch (IOException | BundleException | RuntimeException e) {
            System.err.println("hyphae: cannot start: " + e.getMessage());
            return 1;
        }
        AtomicBoolean stoppedBySignal = new AtomicBoolean();
        Thread shutdown = new Thread(() -> {
            stoppedBySignal.set(true);
            stop(framework);
        }, "hyphae-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        try {
            framework.start();
            framework.waitForStop(0);
        } catch (BundleException e) {
            System.err.println("hyphae: cannot start the framework: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        if (stoppedBySignal.get()) {
            return 0;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdown);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the JVM is exiting anyway
        }
        return Integer.getInteger(EXIT_STATUS_PROPERTY, 0);
    }

    private static void stop(Framework framework) {
        try {
            framework.stop();
            framework.waitForStop(30_000);
        } catch (BundleException e) {
            System.err.println("hyphae: error while stopping: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The distribution folder: {@code hyphae.home}, else the parent of the folder holding this jar. */
    private static Path home() {
        String home = System.getProperty("hyphae.home");
        if (home != null) {
            return Path.of(home);
        }
        try {
            Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.getParent().getParent();
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return Path.of(".");
        }
    }

    static Map<String, String> frameworkProperties(LaunchOptions options) {
        Map<String, String> p = new HashMap<>();
        p.put(Constants.FRAMEWORK_STORAGE, options.data().resolve("cache").toString());
        // The bundle set comes from bundles/ and deploy/ at every start; a stale cache must not win.
        p.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        p.put("hyphae.home", options.home().toString());
        p.put("hyphae.data", options.data().toString());
        p.put("hyphae.port", Integer.toString(options.port()));
        p.put("hyphae.listen.host", options.listenHost());
        // Felix HTTP (metrics, dashboard): loopback only by default; the operator may widen it in
        // config/org.apache.felix.http.cfg.
        p.put("org.apache.felix.http.host", "127.0.0.1");
        p.put("org.osgi.service.http.port", Integer.toString(options.httpPort()));
        p.put("felix.fileinstall.dir", options.home().resolve("deploy") + "," + options.data().resolve("config"));
        p.put("felix.fileinstall.poll", "1000");
        p.put("felix.fileinstall.noInitialDelay", "true");
        p.put("felix.fileinstall.log.level", "2");
        p.put("gosh.args", options.headless() ? "--nointeractive" : "");
        p.put("gosh.home", options.home().toString());
        return p;
    }

    /** Creates the data directory and seeds {@code config/} with the distribution's defaults once. */
    private static void prepareDataDirectory(LaunchOptions options) throws IOException {
        Path config = Files.createDirectories(options.data().resolve("config"));
        Files.createDirectories(options.home().resolve("deploy"));
        Path defaults = options.home().resolve("config");
        if (!Files.isDirectory(defaults)) {
            return;
        }
        try (Stream<Path> files = Files.list(defaults)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".cfg")).toList()) {
                Path target = config.resolve(file.getFileName());
                if (!Files.exists(target)) {
                    Files.copy(file, target);
                }
            }
        }
    }

    private static void installBundles(BundleContext context, Path folder) throws IOException, BundleException {
        List<Bundle> installed = new ArrayList<>();
        List<Path> jars;
        try (Stream<Path> files = Files.list(folder)) {
            jars = files.filter(f -> f.toString().endsWith(".jar")).sorted().toList();
        }
        if (jars.isEmpty()) {
            throw new IOException("no bundles in " + folder);
        }
        for (Path jar : jars) {
            installed.add(context.installBundle(jar.toUri().toString()));
        }
        for (Bundle bundle : installed) {
            if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                bundle.start(Bundle.START_ACTIVATION_POLICY);
            }
        }
    }

    private static void warnOnOldJava() {
        int feature = Runtime.version().feature();
        if (feature < RECOMMENDED_JAVA) {
            System.err.println("hyphae: warning: running on Java " + feature + "; Java " + RECOMMENDED_JAVA
                    + " encrypts ChaCha20-Poly1305 (libp2p Noise) about 12x faster. Set HYPHAE_JAVA to a Java "
                    + RECOMMENDED_JAVA + " binary.");
        }
    }

    /** One line per log record on stderr, unless the operator configured logging. */
    private static void configureLogging() {
        if (System.getProperty("java.util.logging.config.file") == null
                && System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$-7s %3$s: %5$s%6$s%n");
        }
    }
}
