package org.hyphae.discovery.peerstore.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import org.apache.felix.service.command.Descriptor;
import org.hyphae.discovery.PeerRecord;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Host;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code hyphae:peerstore}: the known peers, one line each (best score first), or one peer's whole
 * record. Lines start with a fixed word (PEERSTORE, PEER, ADDR, ...) so scripts can read them.
 */
@Component(service = PeerStoreCommand.class, property = {"osgi.command.scope=hyphae",
        "osgi.command.function=peerstore"})
public final class PeerStoreCommand {

    private final PeerStoreService store;
    private final Host host;

    @Activate
    public PeerStoreCommand(@Reference PeerStoreService store, @Reference Host host) {
        this.store = store;
        this.host = host;
    }

    @Descriptor("list the peer store: score, latency, addresses, agent, last seen")
    public String peerstore() {
        Set<PeerId> connected = new HashSet<>();
        for (Connection c : host.connections()) {
            connected.add(c.remotePeer());
        }
        StringBuilder out = new StringBuilder();
        var records = store.peers();
        PeerBook.Counters n = store.counters();
        out.append("PEERSTORE ").append(records.size()).append(" peers (max ").append(store.maxPeers())
                .append("); addresses rejected ").append(n.addressesRejected()).append(", dropped over limits ")
                .append(n.addressesDropped()).append(", expired ").append(n.addressesExpired())
                .append("; peers evicted ").append(n.peersEvicted()).append(", refused ").append(n.peersRefused())
                .append("; unreadable datastore entries ").append(store.corruptEntries().size()).append('\n');
        Instant now = Instant.now();
        for (PeerRecord r : records) {
            out.append(String.format("PEER %s score %.2f latency %s addrs %d protocols %d agent %s seen %s ago%s%n",
                    r.peer(), r.score(), r.latency().map(PeerStoreCommand::millis).orElse("-"),
                    r.addresses().size(), r.protocols().size(), r.agentVersion().isEmpty() ? "-" : r.agentVersion(),
                    ago(r.lastSeen(), now), connected.contains(r.peer()) ? " connected" : ""));
        }
        return out.toString();
    }

    @Descriptor("one peer's record: addresses with sources and expiry, key, protocols, latency, score")
    public String peerstore(@Descriptor("the peer id") String id) {
        PeerId peer;
        try {
            peer = PeerId.parse(id);
        } catch (RuntimeException e) {
            return "error: not a peer id: " + id + " (" + e.getMessage() + ")";
        }
        var found = store.get(peer);
        if (found.isEmpty()) {
            return "NOTFOUND " + peer;
        }
        PeerRecord r = found.get();
        Instant now = Instant.now();
        StringBuilder out = new StringBuilder();
        out.append("PEER ").append(r.peer()).append('\n');
        out.append(String.format("SCORE %.2f%n", r.score()));
        out.append("LATENCY ").append(r.latency().map(PeerStoreCommand::millis).orElse("-")).append('\n');
        out.append("AGENT ").append(r.agentVersion().isEmpty() ? "-" : r.agentVersion()).append('\n');
        out.append("KEY ").append(r.publicKey().map(k -> java.util.HexFormat.of().formatHex(k)).orElse("-")).append('\n');
        out.append("SEEN first ").append(r.firstSeen()).append(", last ").append(ago(r.lastSeen(), now)).append(" ago\n");
        for (PeerRecord.AddressRecord a : r.addresses()) {
            out.append("ADDR ").append(a.address()).append(" from ").append(String.join(",", a.sources()))
                    .append(" seen ").append(ago(a.lastSeen(), now)).append(" ago, expires in ")
                    .append(ago(now, a.expires())).append('\n');
        }
        r.protocols().stream().sorted().forEach(p -> out.append("PROTOCOL ").append(p).append('\n'));
        return out.toString();
    }

    private static String millis(Duration d) {
        return String.format("%.1f ms", d.toNanos() / 1e6);
    }

    private static String ago(Instant then, Instant now) {
        long s = Math.max(0, Duration.between(then, now).toSeconds());
        return s < 120 ? s + " s" : s < 7200 ? s / 60 + " min" : s / 3600 + " h";
    }
}
