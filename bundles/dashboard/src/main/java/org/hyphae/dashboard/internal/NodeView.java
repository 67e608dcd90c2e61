package org.hyphae.dashboard.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.hyphae.identity.PeerId;
import org.hyphae.node.AreaSelector;
import org.hyphae.node.AreaStatus;
import org.hyphae.node.Implementation;
import org.hyphae.node.NodeStatus;
import org.hyphae.pubsub.PubSub;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Host;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.PeerInfo;
import org.hyphae.transport.Ping;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

/** Builds the dashboard's JSON from the node's services (each may be absent). */
final class NodeView {

    static final long PING_TIMEOUT_MS = 2000;

    private NodeView() {}

    static JsonObject status(Host host, Ping ping, PubSub pubsub, NodeStatus status, Map<String, AreaSelector> selectors) {
        JsonObject out = new JsonObject();
        out.add("node", node(host));
        out.add("peers", peers(host, ping));
        out.add("topics", topics(pubsub));
        out.add("areas", areas(status, selectors));
        return out;
    }

    private static JsonObject node(Host host) {
        JsonObject node = new JsonObject();
        if (host == null) {
            node.add("peerId", JsonNull.INSTANCE);
            node.add("addresses", new JsonArray());
            return node;
        }
        node.addProperty("peerId", host.localPeer().toString());
        JsonArray addresses = new JsonArray();
        for (Multiaddr a : host.listenAddresses()) {
            addresses.add(a.withPeerId(host.localPeer()).toString());
        }
        node.add("addresses", addresses);
        return node;
    }

    /** Connected peers, each pinged at once (in parallel, bounded by {@link #PING_TIMEOUT_MS}). */
    private static JsonArray peers(Host host, Ping ping) {
        JsonArray peers = new JsonArray();
        if (host == null) {
            return peers;
        }
        List<Connection> connections = host.connections();
        Map<PeerId, CompletableFuture<Duration>> rtts = new LinkedHashMap<>();
        for (Connection c : connections) {
            if (ping != null) {
                rtts.computeIfAbsent(c.remotePeer(), p -> ping.ping(p).toCompletableFuture()
                        .orTimeout(PING_TIMEOUT_MS, TimeUnit.MILLISECONDS));
            }
        }
        for (Connection c : connections) {
            JsonObject peer = new JsonObject();
            peer.addProperty("peerId", c.remotePeer().toString());
            peer.addProperty("address", c.remoteAddress().toString());
            peer.addProperty("transport", c.transport());
            peer.addProperty("direction", c.direction().name().toLowerCase());
            peer.addProperty("streams", c.streams().size());
            Optional<PeerInfo> info = host.peerInfo(c.remotePeer());
            peer.addProperty("agent", info.map(PeerInfo::agentVersion).orElse(""));
            JsonArray listens = new JsonArray();
            info.ifPresent(i -> i.listenAddresses().forEach(a -> listens.add(a.toString())));
            peer.add("listenAddresses", listens);
            CompletableFuture<Duration> rtt = rtts.get(c.remotePeer());
            Double ms = null;
            String pingError = ping == null ? "no ping service" : null;
            if (rtt != null) {
                try {
                    ms = rtt.get(PING_TIMEOUT_MS + 500, TimeUnit.MILLISECONDS).toNanos() / 1e6;
                } catch (Exception e) {
                    pingError = "ping failed: " + (e.getCause() != null ? e.getCause() : e);
                }
            }
            if (ms != null) {
                peer.addProperty("latencyMs", Math.round(ms * 1000) / 1000.0);
            } else {
                peer.add("latencyMs", JsonNull.INSTANCE);
                peer.addProperty("latencyError", pingError);
            }
            peers.add(peer);
        }
        return peers;
    }

    private static JsonArray topics(PubSub pubsub) {
        JsonArray topics = new JsonArray();
        if (pubsub == null) {
            return topics;
        }
        for (String t : pubsub.topics().stream().sorted().toList()) {
            JsonObject topic = new JsonObject();
            topic.addProperty("topic", t);
            JsonArray peers = new JsonArray();
            pubsub.peers(t).forEach(p -> peers.add(p.toString()));
            topic.add("peers", peers);
            topics.add(topic);
        }
        return topics;
    }

    private static JsonArray areas(NodeStatus status, Map<String, AreaSelector> selectors) {
        JsonArray areas = new JsonArray();
        if (status == null) {
            return areas;
        }
        for (AreaStatus area : status.areas()) {
            JsonObject a = new JsonObject();
            a.addProperty("area", area.area());
            a.addProperty("contract", area.contract());
            JsonArray implementations = new JsonArray();
            for (Implementation i : area.implementations()) {
                JsonObject impl = new JsonObject();
                impl.addProperty("name", i.name());
                impl.addProperty("bundle", i.bundle());
                impl.addProperty("state", i.state().name());
                impl.addProperty("detail", i.detail());
                implementations.add(impl);
            }
            a.add("implementations", implementations);
            AreaSelector selector = selectors.get(area.area());
            if (selector == null) {
                a.add("selector", JsonNull.INSTANCE);
            } else {
                JsonObject s = new JsonObject();
                try {
                    JsonArray choices = new JsonArray();
                    new ArrayList<>(selector.choices()).forEach(choices::add);
                    s.add("choices", choices);
                    s.addProperty("selected", selector.selected());
                } catch (RuntimeException e) {
                    s.addProperty("error", String.valueOf(e.getMessage()));
                }
                a.add("selector", s);
            }
            areas.add(a);
        }
        return areas;
    }
}
