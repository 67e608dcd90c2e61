package org.hyphae.discovery.bootstrap.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.hyphae.discovery.PeerAddresses;
import org.hyphae.discovery.PeerDiscovery;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Host;
import org.hyphae.transport.Multiaddr;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The {@code bootstrap} discovery source: a static list of peers from Config Admin. It dials each
 * one that is not connected, at start and every {@code reconnectSeconds}, and offers the list to
 * consumers of {@link PeerDiscovery} (the DHT bootstraps from it). Entries that do not parse, or
 * lack {@code /p2p/<id>}, are logged and skipped. A configuration change applies at once.
 */
@Component(service = PeerDiscovery.class, configurationPid = BootstrapDiscovery.PID,
        property = PeerDiscovery.SOURCE_PROPERTY + "=bootstrap")
@Designate(ocd = BootstrapConfig.class)
public final class BootstrapDiscovery implements PeerDiscovery {

    public static final String PID = "org.hyphae.discovery.bootstrap";
    private static final System.Logger LOG = System.getLogger(BootstrapDiscovery.class.getName());

    private final Host host;
    private final ScheduledExecutorService timer;
    private volatile List<PeerAddresses> peers = List.of();
    private ScheduledFuture<?> task;

    @Activate
    public BootstrapDiscovery(@Reference Host host, BootstrapConfig config) {
        this.host = host;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hyphae-bootstrap");
            t.setDaemon(true);
            return t;
        });
        configure(config);
    }

    @Modified
    synchronized void configure(BootstrapConfig config) {
        peers = parse(config.peers());
        if (task != null) {
            task.cancel(false);
        }
        task = config.reconnectSeconds() > 0
                ? timer.scheduleWithFixedDelay(this::connectAll, 0, config.reconnectSeconds(), TimeUnit.SECONDS)
                : timer.schedule(this::connectAll, 0, TimeUnit.SECONDS);
    }

    @Deactivate
    void deactivate() {
        // Wait for a round that is running: no dial may start after the component is gone.
        timer.shutdownNow();
        try {
            if (!timer.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "bootstrap: a dial round did not end within 5 s of stopping");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public List<PeerAddresses> peers() {
        return peers;
    }

    /** Parses the list: one entry per peer, addresses of the same peer merged, bad entries skipped. */
    static List<PeerAddresses> parse(String[] entries) {
        Map<PeerId, List<Multiaddr>> byPeer = new LinkedHashMap<>();
        for (String entry : entries) {
            String text = entry.trim();
            if (text.isEmpty()) {
                continue;
            }
            try {
                Multiaddr a = Multiaddr.parse(text);
                PeerId id = a.peerId().orElseThrow(() -> new IllegalArgumentException("no /p2p/<peer id>"));
                byPeer.computeIfAbsent(id, k -> new ArrayList<>()).add(a.withoutPeerId());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "bootstrap peer " + text + " skipped: " + e.getMessage());
            }
        }
        List<PeerAddresses> out = new ArrayList<>();
        byPeer.forEach((id, addrs) -> out.add(new PeerAddresses(id, addrs)));
        return List.copyOf(out);
    }

    /** Dials every listed peer that is not connected (first address that works). */
    void connectAll() {
        for (PeerAddresses p : peers) {
            if (p.peer().equals(host.localPeer()) || !host.connections(p.peer()).isEmpty()) {
                continue;
            }
            connect(p, 0);
        }
    }

    private void connect(PeerAddresses p, int index) {
        if (index >= p.addresses().size()) {
            LOG.log(System.Logger.Level.INFO, "bootstrap peer " + p.peer() + " unreachable on all "
                    + p.addresses().size() + " addresses; retrying later");
            return;
        }
        host.connect(p.addresses().get(index).withPeerId(p.peer())).whenComplete((c, e) -> {
            if (e != null) {
                connect(p, index + 1);
            }
        });
    }
}
