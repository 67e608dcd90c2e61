package org.hyphae.pubsub.gossipsub.internal;

import java.util.HashSet;
import java.util.Set;

import org.hyphae.identity.PeerId;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Direction;
import org.hyphae.transport.Stream;

/**
 * One peer as the router sees it: the connection it came on, our outbound pubsub stream (which
 * decides the protocol we speak with it) and its inbound one, its topics, what goes out to it, and
 * its per-heartbeat gossip budgets. Router thread only.
 */
final class RouterPeer {

    final PeerId id;
    Connection connection;
    Direction direction = Direction.INBOUND;
    String ip;
    /** What our outbound stream negotiated; null while it is not open. */
    String protocol;
    Stream out;
    boolean opening;
    long retryAt;
    Set<String> protocolsWhenRefused;
    Stream in;
    final Set<String> topics = new HashSet<>();
    final OutboundQueue outbound = new OutboundQueue();
    /** Messages the peer told us it does not want (v1.2 IDONTWANT). */
    final DontWant.Wishes dontWant = new DontWant.Wishes();
    // per-heartbeat gossip budgets (v1.1 spam protection)
    int ihavesThisHeartbeat;
    int askedThisHeartbeat;
    /** Messages from this peer whose signature check or validation has not finished. */
    int validating;
    /** Completes when the verdict on the last message from this peer is taken (keeps verdicts in order). */
    java.util.concurrent.CompletableFuture<Void> lastVerdict = java.util.concurrent.CompletableFuture.completedFuture(null);
    /** Resumes reading the inbound stream once {@link #validating} has dropped (read backpressure). */
    Runnable resumeRead;

    RouterPeer(PeerId id) {
        this.id = id;
    }

    boolean active() {
        return out != null;
    }

    boolean meshsub() {
        return GossipRouter.MESHSUB_12.equals(protocol) || GossipRouter.MESHSUB_11.equals(protocol)
                || GossipRouter.MESHSUB_10.equals(protocol);
    }

    boolean floodsub() {
        return GossipRouter.FLOODSUB.equals(protocol);
    }

    /** Speaks v1.1 or later (PX, backoff). */
    boolean v11() {
        return GossipRouter.MESHSUB_12.equals(protocol) || GossipRouter.MESHSUB_11.equals(protocol);
    }

    /** Speaks v1.2 (IDONTWANT). */
    boolean v12() {
        return GossipRouter.MESHSUB_12.equals(protocol);
    }

    /** Speaks meshsub, judging by the outbound stream, or by the inbound one while ours is not open. */
    boolean meshsubOrUnknown() {
        if (protocol != null) {
            return meshsub();
        }
        return in != null && GossipRouter.PROTOCOLS.contains(in.protocol()) && !GossipRouter.FLOODSUB.equals(in.protocol());
    }

    @Override
    public String toString() {
        return id.toString();
    }
}
