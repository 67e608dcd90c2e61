package org.hyphae.shell.internal;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.felix.service.command.Descriptor;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Host;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.PeerInfo;
import org.hyphae.transport.Perf;
import org.hyphae.transport.Ping;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/** {@code hyphae:connect}, {@code hyphae:peers}, {@code hyphae:ping}, {@code hyphae:perf}: the swarm from the shell. */
@Component(service = NetworkCommands.class, property = {
        "osgi.command.scope=hyphae",
        "osgi.command.function=connect",
        "osgi.command.function=peers",
        "osgi.command.function=peer",
        "osgi.command.function=ping",
        "osgi.command.function=perf"})
public final class NetworkCommands {

    private static final long TIMEOUT_SECONDS = 30;

    // Optional: a minimal distribution without a host still has a working shell.
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Host host;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Ping ping;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Perf perfClient;

    @Descriptor("connect to a peer by multiaddr, e.g. /ip4/127.0.0.1/tcp/4001/p2p/12D3Koo...")
    public String connect(@Descriptor("the peer's multiaddr") String address) throws Exception {
        Host host = host();
        Multiaddr target = Multiaddr.parse(address);
        Connection connection = await(host.connect(target).toCompletableFuture(), "connect to " + target);
        return "connected to " + connection.remotePeer() + " over " + connection.transport() + " ("
                + connection.remoteAddress() + ")";
    }

    @Descriptor("list connected peers with address, transport, direction, streams and what identify said")
    public String peers() {
        Host host = host();
        List<Connection> connections = host.connections();
        if (connections.isEmpty()) {
            return "no peers connected";
        }
        StringBuilder out = new StringBuilder();
        for (Connection c : connections) {
            out.append(c.remotePeer()).append("  ").append(c.remoteAddress()).append("  ")
                    .append(c.transport()).append(' ').append(c.direction().name().toLowerCase())
                    .append("  streams=").append(c.streams().size());
            host.peerInfo(c.remotePeer()).map(PeerInfo::agentVersion).filter(a -> !a.isEmpty())
                    .ifPresent(agent -> out.append("  agent=").append(agent));
            out.append('\n');
        }
        return out.toString().stripTrailing();
    }

    @Descriptor("show what a peer said about itself through identify: agent, protocols, listen addresses")
    public String peer(@Descriptor("peer id") String peer) {
        PeerId id = PeerId.parse(peer);
        Optional<PeerInfo> known = host().peerInfo(id);
        if (known.isEmpty()) {
            return "nothing known about " + id + " (not connected, or identify has not answered yet)";
        }
        PeerInfo info = known.get();
        StringBuilder out = new StringBuilder();
        out.append("peer     ").append(id).append('\n');
        out.append("agent    ").append(info.agentVersion()).append('\n');
        out.append("protocol ").append(info.protocolVersion()).append('\n');
        info.observedAddress().ifPresent(a -> out.append("observed us at ").append(a).append('\n'));
        info.listenAddresses().forEach(a -> out.append("listens  ").append(a).append('\n'));
        new java.util.TreeSet<>(info.protocols()).forEach(p -> out.append("speaks   ").append(p).append('\n'));
        return out.toString().stripTrailing();
    }

    @Descriptor("measure throughput to a peer that serves /perf/1.0.0 (its perf server must be enabled)")
    public String perf(@Descriptor("peer id, or a multiaddr with /p2p to connect first") String peer,
            @Descriptor("bytes to upload") long upload, @Descriptor("bytes to download") long download)
            throws Exception {
        Perf current = perfClient;
        if (current == null) {
            return "no perf service: the host bundle is not active";
        }
        PeerId id = resolve(peer);
        Perf.Result r = await(current.measure(id, upload, download).toCompletableFuture(), "perf " + id);
        double seconds = r.total().toNanos() / 1e9;
        return String.format("perf %s: uploaded %d B, downloaded %d B in %.3f s: %.1f MB/s%n"
                + "perf-result upload=%d download=%d upload_ms=%.3f total_ms=%.3f", id, r.uploaded(), r.downloaded(),
                seconds, (r.uploaded() + r.downloaded()) / seconds / 1e6, r.uploaded(), r.downloaded(),
                r.upload().toNanos() / 1e6, r.total().toNanos() / 1e6);
    }

    @Descriptor("measure the round-trip time to a connected peer")
    public String ping(@Descriptor("peer id, or a multiaddr with /p2p to connect first") String peer)
            throws Exception {
        Ping current = ping;
        if (current == null) {
            return "no ping service: the host bundle is not active";
        }
        PeerId id = resolve(peer);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            Duration rtt = await(current.ping(id).toCompletableFuture(), "ping " + id);
            out.append(String.format("PONG from %s: time=%.3f ms%n", id, rtt.toNanos() / 1e6));
        }
        return out.toString().stripTrailing();
    }

    /** A peer id as given, or the peer reached by connecting to a multiaddr. */
    private PeerId resolve(String peer) throws Exception {
        if (peer.startsWith("/")) {
            Multiaddr address = Multiaddr.parse(peer);
            return await(host().connect(address).toCompletableFuture(), "connect to " + address).remotePeer();
        }
        return PeerId.parse(peer);
    }

    private Host host() {
        Host current = host;
        if (current == null) {
            throw new IllegalStateException("no host: the org.hyphae.host bundle is not active (see hyphae:status)");
        }
        return current;
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> future, String what) throws Exception {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new IllegalStateException(what + " timed out after " + TIMEOUT_SECONDS + " s");
        }
    }
}
