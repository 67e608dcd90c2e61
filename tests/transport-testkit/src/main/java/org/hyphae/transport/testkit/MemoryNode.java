package org.hyphae.transport.testkit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.hyphae.identity.PeerId;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Host;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.PeerInfo;
import org.hyphae.transport.ProtocolHandler;
import org.hyphae.transport.Stream;

/** One peer of a {@link MemoryNetwork}: a {@link Host} whose protocol handlers tests register. */
public final class MemoryNode implements Host {

    private final MemoryNetwork network;
    private final TestIdentity identity;
    private final List<Multiaddr> listenAddresses = new CopyOnWriteArrayList<>();
    final Map<String, ProtocolHandler> handlers = new ConcurrentHashMap<>();
    private final List<MemoryConnection> connections = new CopyOnWriteArrayList<>();
    private final Map<PeerId, PeerInfo> peerInfo = new ConcurrentHashMap<>();
    private final List<org.hyphae.transport.ConnectionListener> listeners = new CopyOnWriteArrayList<>();

    MemoryNode(MemoryNetwork network, TestIdentity identity, Multiaddr listen) {
        this.network = network;
        this.identity = identity;
        listenAddresses.add(listen);
    }

    /** This peer's identity. */
    public TestIdentity identity() {
        return identity;
    }

    /** Serves a protocol. */
    public MemoryNode handle(String protocol, ProtocolHandler handler) {
        handlers.put(protocol, handler);
        return this;
    }

    /** Stops serving a protocol. */
    public void unhandle(String protocol) {
        handlers.remove(protocol);
    }

    /** Adds a listen address. */
    public void addListenAddress(Multiaddr address) {
        listenAddresses.add(address);
    }

    /**
     * Sets what {@link #peerInfo(PeerId)} returns, as the swarm would after identify, and tells the
     * connection listeners.
     */
    public void putPeerInfo(PeerInfo info) {
        peerInfo.put(info.peer(), info);
        listeners.forEach(l -> l.identified(info));
    }

    /**
     * Registers a connection listener, as the swarm's whiteboard would: it is told of the open
     * connections first, then of every change. Events are delivered on the thread that causes
     * them (the swarm uses a thread of its own; tests here want them synchronous).
     */
    public void addConnectionListener(org.hyphae.transport.ConnectionListener listener) {
        listeners.add(listener);
        connections.forEach(listener::connected);
    }

    /** Removes a connection listener. */
    public void removeConnectionListener(org.hyphae.transport.ConnectionListener listener) {
        listeners.remove(listener);
    }

    void add(MemoryConnection c) {
        connections.add(c);
        listeners.forEach(l -> l.connected(c));
    }

    void remove(MemoryConnection c) {
        if (connections.remove(c)) {
            listeners.forEach(l -> l.disconnected(c));
        }
    }

    @Override
    public PeerId localPeer() {
        return identity.peerId();
    }

    @Override
    public List<Multiaddr> listenAddresses() {
        return List.copyOf(listenAddresses);
    }

    @Override
    public CompletionStage<Connection> connect(Multiaddr address) {
        java.util.Optional<PeerId> id = address.peerId();
        if (id.isPresent() && !connections(id.get()).isEmpty()) {
            return CompletableFuture.completedFuture(connections(id.get()).get(0));
        }
        MemoryNode target = network.nodeAt(address.withoutPeerId());
        if (target == null) {
            return CompletableFuture.failedFuture(new IOException("nothing listens on " + address));
        }
        if (id.isPresent() && !id.get().equals(target.localPeer())) {
            return CompletableFuture.failedFuture(new IOException("wrong peer at " + address));
        }
        return CompletableFuture.completedFuture(network.connect(this, target));
    }

    @Override
    public CompletionStage<Stream> newStream(PeerId peer, List<String> protocols) {
        List<Connection> to = connections(peer);
        if (to.isEmpty()) {
            return CompletableFuture.failedFuture(new IOException("not connected to " + peer));
        }
        return to.get(0).newStream(protocols);
    }

    @Override
    public List<Connection> connections() {
        return List.copyOf(connections);
    }

    @Override
    public List<Connection> connections(PeerId peer) {
        List<Connection> out = new ArrayList<>();
        for (MemoryConnection c : connections) {
            if (c.remotePeer().equals(peer)) {
                out.add(c);
            }
        }
        return out;
    }

    @Override
    public Set<String> protocols() {
        return Set.copyOf(handlers.keySet());
    }

    @Override
    public Optional<PeerInfo> peerInfo(PeerId peer) {
        return Optional.ofNullable(peerInfo.get(peer));
    }

    MemoryNetwork network() {
        return network;
    }
}
