package org.hyphae.host.internal.swarm;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.hyphae.host.internal.upgrade.ConnectionUpgrader;
import org.hyphae.host.internal.upgrade.InboundStreams;
import org.hyphae.host.internal.upgrade.UpgradeSettings;
import org.hyphae.host.internal.yamux.YamuxSettings;
import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Connection;
import org.hyphae.transport.ConnectionListener;
import org.hyphae.transport.Direction;
import org.hyphae.transport.Host;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.PeerInfo;
import org.hyphae.transport.ProtocolHandler;
import org.hyphae.transport.RawConnection;
import org.hyphae.transport.Stream;
import org.hyphae.transport.Transport;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

import io.netty.channel.Channel;

/**
 * The {@link Host}: listens and dials over every registered {@link Transport}, upgrades raw
 * connections (multistream-select, Noise, yamux), enforces the connection limits, routes inbound
 * streams to {@link ProtocolHandler} services, and runs identify on every new connection.
 *
 * <p>Transports and handlers come and go at runtime (dynamic references): a transport that goes
 * away takes its listeners and connections with it, and the peers on those connections are dialled
 * again over another transport where their identify record gives an address for one.
 */
@Component(service = Host.class, immediate = true, configurationPid = SwarmHost.PID)
@Designate(ocd = HostConfig.class)
public final class SwarmHost implements Host, InboundStreams {

    static final String PID = "org.hyphae.host";
    private static final System.Logger LOG = System.getLogger(SwarmHost.class.getName());

    private final Identity identity;
    private final BundleContext context;
    private final ProtocolRouter router = new ProtocolRouter();
    private final Map<Transport, TransportState> transports = new ConcurrentHashMap<>();
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final Map<PeerId, PeerInfo> peerInfo = new ConcurrentHashMap<>();
    private final Map<Connection, Long> idleSince = new ConcurrentHashMap<>();
    /** Where stream callbacks run (never on an event loop); shared by every upgrader this host makes. */
    private final ExecutorService callbacks = Executors.newCachedThreadPool(daemonThreads("hyphae-stream"));
    private final ScheduledExecutorService maintenance =
            Executors.newSingleThreadScheduledExecutor(daemonThreads("hyphae-host-maintenance"));
    private final PeerIdentification identification;
    private final ConnectionEvents events = new ConnectionEvents(daemonThreads("hyphae-connection-events"));
    private volatile HostConfig config;
    private volatile ConnectionGate gate;
    private volatile ConnectionUpgrader upgrader;
    private volatile boolean active;

    /** Listeners and the transport's protocol name. */
    private static final class TransportState {
        final String name;
        final List<Transport.Listener> listeners = new CopyOnWriteArrayList<>();

        TransportState(String name) {
            this.name = name;
        }
    }

    @Activate
    public SwarmHost(BundleContext context, @Reference Identity identity, HostConfig config) {
        this.context = context;
        this.identity = identity;
        this.config = config;
        this.gate = new ConnectionGate(config);
        this.upgrader = new ConnectionUpgrader(identity, upgradeSettings(config), callbacks);
        this.identification = new PeerIdentification(this, identity, peerInfo, events::identified);
        // Dynamic references are bound after construction: bindTransport starts listening.
        this.active = true;
        maintenance.scheduleWithFixedDelay(this::trim, 10, 10, TimeUnit.SECONDS);
        LOG.log(Level.INFO, "Noise transport cipher: ChaCha20-Poly1305 is " + org.hyphae.host.internal.noise.CipherState.implementation());
    }

    private static UpgradeSettings upgradeSettings(HostConfig config) {
        YamuxSettings yamux = new YamuxSettings(YamuxSettings.SPEC_INITIAL_WINDOW, YamuxSettings.DEFAULTS.maxWindow(),
                config.max_streams_per_connection(), YamuxSettings.DEFAULTS.keepAliveInterval());
        return new UpgradeSettings(Duration.ofMillis(config.handshake_timeout_millis()),
                UpgradeSettings.DEFAULTS.streamNegotiationTimeout(), yamux);
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Modified
    void modified(HostConfig changed) {
        boolean listenChanged = !List.of(changed.listen()).equals(List.of(config.listen()));
        this.config = changed;
        gate.limits(changed);
        // Connections already made keep their settings; new ones get the changed limits.
        upgrader = new ConnectionUpgrader(identity, upgradeSettings(changed), callbacks);
        if (listenChanged) {
            transports.forEach((transport, state) -> {
                state.listeners.forEach(Transport.Listener::close);
                state.listeners.clear();
                listenOn(transport, state);
            });
        }
    }

    @Deactivate
    void deactivate() {
        active = false;
        maintenance.shutdownNow();
        transports.values().forEach(s -> s.listeners.forEach(Transport.Listener::close));
        connections.forEach(Connection::close);
        events.close();
        callbacks.shutdown();
    }

    // ---- transports (whiteboard) ----

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindTransport(Transport transport, Map<String, Object> properties) {
        TransportState state = new TransportState(String.valueOf(properties.getOrDefault(Transport.PROTOCOL_PROPERTY,
                transport.getClass().getSimpleName())));
        transports.put(transport, state);
        if (active) {
            listenOn(transport, state);
        }
    }

    void unbindTransport(Transport transport) {
        TransportState state = transports.remove(transport);
        if (state == null) {
            return;
        }
        state.listeners.forEach(Transport.Listener::close);
        // Close this transport's connections ourselves (yamux GoAway first) before the transport
        // tears the sockets down, then find the peers again over what is left.
        List<Connection> carried = connections.stream().filter(c -> c.transport().equals(state.name)).toList();
        for (Connection connection : carried) {
            retire(connection);
            if (active) {
                connection.closed().whenComplete((v, e) -> reconnectElsewhere(connection.remotePeer()));
            }
        }
        LOG.log(Level.INFO, "transport {0} removed: closed {1} connection(s)", state.name, carried.size());
    }

    private void listenOn(Transport transport, TransportState state) {
        for (Multiaddr address : listenAddressesConfigured()) {
            if (!transport.canListen(address)) {
                continue;
            }
            try {
                state.listeners.add(transport.listen(address, raw -> accept(raw, state.name)));
            } catch (IOException e) {
                LOG.log(Level.ERROR, "cannot listen on {0}: {1}", address, e.getMessage());
            }
        }
    }

    private List<Multiaddr> listenAddressesConfigured() {
        String[] listen = config.listen();
        if (listen.length > 0) {
            return java.util.Arrays.stream(listen).map(Multiaddr::parse).toList();
        }
        String host = property("hyphae.listen.host", "0.0.0.0");
        int port = Integer.parseInt(property("hyphae.port", "4001"));
        String family = host.contains(":") ? "ip6" : "ip4";
        int wsPort = port == 0 ? 0 : port + 1;
        return List.of(Multiaddr.parse("/" + family + "/" + host + "/tcp/" + port),
                Multiaddr.parse("/" + family + "/" + host + "/tcp/" + wsPort + "/ws"));
    }

    private String property(String name, String fallback) {
        String value = context.getProperty(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    // ---- protocol handlers (whiteboard) ----

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindProtocolHandler(ServiceReference<ProtocolHandler> reference) {
        Map<String, Object> properties = new java.util.HashMap<>();
        properties.put(ProtocolHandler.PROTOCOL_PROPERTY, reference.getProperty(ProtocolHandler.PROTOCOL_PROPERTY));
        // The service object is fetched on the first stream (see ProtocolRouter), and cached.
        if (router.add(reference, lazyService(reference), ProtocolRouter.protocolsOf(properties)) && active) {
            identification.pushToAll();
        }
    }

    void unbindProtocolHandler(ServiceReference<ProtocolHandler> reference) {
        boolean changed = router.remove(reference);
        try {
            context.ungetService(reference);
        } catch (IllegalStateException alreadyGone) {
            // the handler's bundle stopped first
        }
        if (changed && active) {
            identification.pushToAll();
        }
    }

    // ---- connection listeners (whiteboard) ----

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindConnectionListener(ServiceReference<ConnectionListener> reference) {
        // Fetched on the event thread, after this bind returns (a listener may need the Host).
        events.add(reference, lazyService(reference));
    }

    /**
     * The service of a whiteboard reference, got on first use and then kept: getting it while the
     * host binds it would activate a component that needs the host (circular activation).
     */
    private <T> Supplier<T> lazyService(ServiceReference<T> reference) {
        return new Supplier<>() {
            private volatile T service;

            @Override
            public T get() {
                T current = service;
                if (current == null) {
                    current = context.getService(reference);
                    service = current;
                }
                return current;
            }
        };
    }

    void unbindConnectionListener(ServiceReference<ConnectionListener> reference) {
        events.remove(reference);
        try {
            context.ungetService(reference);
        } catch (IllegalStateException alreadyGone) {
            // the listener's bundle stopped first
        }
    }

    // ---- inbound ----

    private void accept(RawConnection raw, String transportName) {
        Optional<String> refused = gate.admit(Direction.INBOUND);
        if (refused.isPresent()) {
            LOG.log(Level.DEBUG, "refused inbound {0}: {1}", raw.remoteAddress(), refused.get());
            raw.close();
            return;
        }
        upgrade(raw, transportName, Optional.empty(), Direction.INBOUND).exceptionally(e -> {
            LOG.log(Level.DEBUG, "inbound connection from {0} failed: {1}", raw.remoteAddress(), rootMessage(e));
            return null;
        });
    }

    @Override
    public Set<String> protocols() {
        Set<String> all = new java.util.TreeSet<>(router.protocols());
        all.addAll(identification.protocols());
        return all;
    }

    @Override
    public void accept(Stream stream) {
        if (identification.protocols().contains(stream.protocol())) {
            identification.handle(stream);
        } else {
            router.route(stream);
        }
    }

    // ---- outbound ----

    @Override
    public CompletionStage<Connection> connect(Multiaddr address) {
        Optional<PeerId> expected = address.peerId();
        if (expected.isPresent()) {
            List<Connection> existing = connections(expected.get());
            if (!existing.isEmpty()) {
                return CompletableFuture.completedFuture(existing.get(0));
            }
        }
        Optional<Map.Entry<Transport, TransportState>> transport = transports.entrySet().stream()
                .filter(e -> e.getKey().canDial(address)).findFirst();
        if (transport.isEmpty()) {
            return CompletableFuture.failedFuture(new IOException("no transport can dial " + address
                    + " (installed: " + transports.values().stream().map(s -> s.name).sorted().toList() + ")"));
        }
        Optional<String> refused = gate.startDial();
        if (refused.isPresent()) {
            return CompletableFuture.failedFuture(new IOException("cannot dial " + address + ": " + refused.get()));
        }
        String transportName = transport.get().getValue().name;
        return transport.get().getKey().dial(address.withoutPeerId())
                .thenCompose(raw -> {
                    Optional<String> limit = gate.admit(Direction.OUTBOUND);
                    if (limit.isPresent()) {
                        raw.close();
                        return CompletableFuture.failedFuture(new IOException("cannot dial " + address + ": " + limit.get()));
                    }
                    return upgrade(raw, transportName, expected, Direction.OUTBOUND);
                })
                .whenComplete((c, e) -> gate.endDial());
    }

    private CompletableFuture<Connection> upgrade(RawConnection raw, String transportName, Optional<PeerId> expected,
            Direction direction) {
        Channel channel = raw.unwrap(Channel.class).orElse(null);
        if (channel == null) {
            gate.release(direction);
            raw.close();
            return CompletableFuture.failedFuture(new IOException("transport " + transportName
                    + " does not offer a Netty channel; the host cannot upgrade it"));
        }
        CompletableFuture<Connection> upgraded = new CompletableFuture<>();
        // The upgrader installs its handlers on the channel's event loop, then turns reading on.
        upgrader.upgrade(raw, channel, transportName, expected, this).whenComplete((connection, error) -> {
            if (error != null) {
                gate.release(direction);
                raw.close();
                upgraded.completeExceptionally(error);
            } else {
                register(connection, direction, upgraded);
            }
        });
        return upgraded;
    }

    private void register(Connection connection, Direction direction, CompletableFuture<Connection> upgraded) {
        PeerId peer = connection.remotePeer();
        Optional<String> tooMany = gate.admitPeer(peer);
        if (tooMany.isPresent()) {
            gate.release(direction);
            connection.close();
            upgraded.completeExceptionally(new IOException(tooMany.get()));
            return;
        }
        connections.add(connection);
        events.connected(connection);
        connection.closed().whenComplete((v, e) -> {
            connections.remove(connection);
            gate.release(direction);
            gate.releasePeer(peer);
            events.disconnected(connection);
        });
        LOG.log(Level.DEBUG, "connected {0} {1} over {2}", direction, peer, connection.transport());
        upgraded.complete(connection);
        identification.identify(connection);
    }

    /** After a transport left: dial the peer again over another transport it listens on. */
    private void reconnectElsewhere(PeerId peer) {
        if (!active || !connections(peer).isEmpty()) {
            return;
        }
        PeerInfo info = peerInfo.get(peer);
        if (info == null) {
            return;
        }
        Optional<Multiaddr> address = info.listenAddresses().stream()
                .filter(a -> transports.keySet().stream().anyMatch(t -> t.canDial(a)))
                .sorted(Comparator.comparing((Multiaddr a) -> !a.toString().startsWith("/ip4/127.")))
                .findFirst();
        address.ifPresent(a -> connect(a.withPeerId(peer)).whenComplete((c, e) -> {
            if (e != null) {
                LOG.log(Level.INFO, "could not reconnect to {0} over {1}: {2}", peer, a, rootMessage(e));
            } else {
                LOG.log(Level.INFO, "reconnected to {0} over {1}", peer, c.transport());
            }
        }));
    }

    // ---- connection manager ----

    /** Closes idle connections, and trims to the low watermark when above the high one. */
    private void trim() {
        try {
            HostConfig c = config;
            closeIdle(TimeUnit.SECONDS.toNanos(c.idle_timeout_seconds()));
            int excess = connections.size() - c.high_watermark();
            if (excess > 0) {
                int close = connections.size() - c.low_watermark();
                List<Connection> victims = new ArrayList<>(connections);
                victims.sort(Comparator.comparingInt(conn -> conn.streams().size()));
                victims.stream().limit(close).forEach(this::retire);
                LOG.log(Level.INFO, "connection manager: {0} connections above {1}, closed {2}",
                        excess + c.high_watermark(), c.high_watermark(), close);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "connection manager run failed", e);
        }
    }

    /**
     * Closes a connection and stops offering it at once: until its close completes (yamux GoAway,
     * then the socket) it must not be handed out for new streams or returned by connect.
     */
    private void retire(Connection connection) {
        connections.remove(connection);
        connection.close();
    }

    /** Connections with no stream for longer than the idle timeout; 0 keeps them forever. */
    private void closeIdle(long timeoutNanos) {
        long now = System.nanoTime();
        idleSince.keySet().retainAll(connections);
        for (Connection connection : connections) {
            if (!connection.streams().isEmpty()) {
                idleSince.remove(connection);
                continue;
            }
            long since = idleSince.computeIfAbsent(connection, c -> now);
            if (timeoutNanos > 0 && now - since > timeoutNanos) {
                LOG.log(Level.DEBUG, "closing idle connection to {0}", connection.remotePeer());
                retire(connection);
            }
        }
    }

    // ---- Host ----

    @Override
    public PeerId localPeer() {
        return identity.peerId();
    }

    @Override
    public List<Multiaddr> listenAddresses() {
        return transports.keySet().stream().flatMap(t -> t.listenAddresses().stream()).distinct().toList();
    }

    @Override
    public CompletionStage<Stream> newStream(PeerId peer, List<String> protocols) {
        List<Connection> open = connections(peer);
        if (open.isEmpty()) {
            return CompletableFuture.failedFuture(new IOException("not connected to " + peer));
        }
        return open.get(0).newStream(protocols);
    }

    @Override
    public List<Connection> connections() {
        return List.copyOf(connections);
    }

    @Override
    public List<Connection> connections(PeerId peer) {
        return connections.stream().filter(c -> c.remotePeer().equals(peer)).toList();
    }

    @Override
    public Optional<PeerInfo> peerInfo(PeerId peer) {
        return Optional.ofNullable(peerInfo.get(peer));
    }

    static String rootMessage(Throwable e) {
        Throwable cause = e;
        while ((cause instanceof java.util.concurrent.CompletionException
                || cause instanceof java.util.concurrent.ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }
}
