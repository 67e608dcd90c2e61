package org.hyphae.node.internal;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.hyphae.identity.Identity;
import org.hyphae.node.AreaStatus;
import org.hyphae.node.Implementation;
import org.hyphae.node.ImplementationState;
import org.hyphae.node.NodeStatus;
import org.hyphae.transport.Host;
import org.hyphae.transport.Multiaddr;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Once the framework has started, prints who this node is and where it listens (as kubo does),
 * or stops the node if it has no identity: a node that cannot prove who it is must not run.
 */
@Component(immediate = true)
public final class StartupReport implements FrameworkListener {

    /** How long bundles may take to bring up the identity after the framework reports STARTED. */
    private static final long IDENTITY_WAIT_MILLIS = 10_000;
    private static final long POLL_MILLIS = 100;

    private final BundleContext context;
    private final NodeStatus status;
    private final ServiceTracker<Identity, Identity> identity;
    private final ServiceTracker<Host, Host> host;
    private volatile Thread reporter;

    @Activate
    public StartupReport(BundleContext context, @Reference NodeStatus status) {
        this.context = context;
        this.status = status;
        this.identity = new ServiceTracker<>(context, Identity.class, null);
        this.host = new ServiceTracker<>(context, Host.class, null);
        identity.open();
        host.open();
        context.addFrameworkListener(this);
        if (context.getBundle(0).getState() == Bundle.ACTIVE) {
            startReporter();
        }
    }

    @Override
    public void frameworkEvent(FrameworkEvent event) {
        if (event.getType() == FrameworkEvent.STARTED) {
            startReporter();
        }
    }

    private synchronized void startReporter() {
        if (reporter == null) {
            // Not on the framework's event thread: waiting for the identity must not block events.
            reporter = new Thread(this::report, "hyphae-startup-report");
            reporter.setDaemon(true);
            reporter.start();
        }
    }

    private void report() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(IDENTITY_WAIT_MILLIS);
        try {
            while (true) {
                Identity id = identity.waitForService(POLL_MILLIS);
                if (id != null) {
                    printBanner(System.out, id, host.getService());
                    return;
                }
                // A key file that cannot be used fails at once: say so now, not after the wait.
                Optional<Implementation> failed = identityImplementations().stream()
                        .filter(i -> i.state() == ImplementationState.UNAVAILABLE && i.detail().startsWith("failed"))
                        .findFirst();
                if (failed.isPresent()) {
                    new NodeHalt(context).halt(failed.get().detail());
                    return;
                }
                if (System.nanoTime() > deadline) {
                    new NodeHalt(context).halt(whyNoIdentity());
                    return;
                }
            }
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        }
    }

    private List<Implementation> identityImplementations() {
        return status.areas().stream().filter(a -> a.area().equals("identity")).findFirst()
                .map(AreaStatus::implementations).orElse(List.of());
    }

    private String whyNoIdentity() {
        List<Implementation> implementations = identityImplementations();
        return implementations.stream().filter(i -> i.state() == ImplementationState.UNAVAILABLE)
                .map(Implementation::detail).findFirst()
                .orElse(implementations.isEmpty()
                        ? "no identity bundle is installed (org.hyphae.identity)"
                        : "the identity did not come up within " + IDENTITY_WAIT_MILLIS / 1000 + " s");
    }

    private void printBanner(PrintStream out, Identity id, Host host) {
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
        StringBuilder banner = new StringBuilder();
        banner.append("Hyphae ").append(context.getBundle().getVersion())
                .append(" on Java ").append(Runtime.version()).append('\n');
        banner.append("PeerID: ").append(id.peerId()).append('\n');
        List<Multiaddr> addresses = host == null ? List.of() : host.listenAddresses();
        if (addresses.isEmpty()) {
            banner.append("Not listening on any address: no transport is installed, or none could bind (see above)\n");
        }
        for (Multiaddr address : addresses) {
            banner.append("Swarm listening on ").append(address.withPeerId(id.peerId())).append('\n');
        }
        banner.append("Node ready in ").append(uptime).append(" ms");
        out.println(banner);
    }

    @Deactivate
    void deactivate() {
        context.removeFrameworkListener(this);
        Thread running = reporter;
        if (running != null) {
            running.interrupt();
        }
        identity.close();
        host.close();
    }
}
