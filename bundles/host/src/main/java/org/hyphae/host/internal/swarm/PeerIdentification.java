package org.hyphae.host.internal.swarm;

import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.hyphae.host.internal.identify.IdentifyProtocol;
import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Host;
import org.hyphae.transport.PeerInfo;
import org.hyphae.transport.Stream;

/**
 * Identify as the swarm runs it: asked of every new connection, answered for every peer, pushed
 * to connected peers when this node's protocols change, and what peers say kept for
 * {@link Host#peerInfo(PeerId)}. Until the discovery issue's peer store exists, what peers said is
 * kept here, bounded.
 */
final class PeerIdentification {

    private static final System.Logger LOG = System.getLogger(PeerIdentification.class.getName());
    /** Peers remembered beyond their connections (for reconnecting over another transport). */
    private static final int MAX_REMEMBERED = 4096;

    private final IdentifyProtocol identify;
    private final Host host;
    private final Map<PeerId, PeerInfo> peerInfo;
    private final Consumer<PeerInfo> identified;

    PeerIdentification(Host host, Identity identity, Map<PeerId, PeerInfo> peerInfo, Consumer<PeerInfo> identified) {
        this.host = host;
        this.peerInfo = peerInfo;
        this.identified = identified;
        this.identify = new IdentifyProtocol(identity, host, IdentifyProtocol.defaultAgentVersion(),
                IdentifyProtocol.DEFAULT_TIMEOUT, this::remember);
    }

    /** The protocols the swarm itself serves for identify. */
    Set<String> protocols() {
        return Set.of(IdentifyProtocol.PROTOCOL, IdentifyProtocol.PUSH_PROTOCOL);
    }

    /** An inbound identify or identify-push stream. */
    void handle(Stream stream) {
        if (IdentifyProtocol.PROTOCOL.equals(stream.protocol())) {
            identify.respond(stream);
        } else {
            identify.handlePush(stream);
        }
    }

    /** Asks a new connection's peer who it is. */
    void identify(Connection connection) {
        identify.request(connection).whenComplete((info, error) -> {
            if (error != null) {
                LOG.log(Level.DEBUG, "identify of {0} failed: {1}", connection.remotePeer(), SwarmHost.rootMessage(error));
            } else {
                remember(info);
            }
        });
    }

    /** Tells connected peers that this node's protocols or addresses changed. */
    void pushToAll() {
        identify.pushToAll();
    }

    private void remember(PeerInfo info) {
        peerInfo.put(info.peer(), info);
        if (peerInfo.size() > MAX_REMEMBERED) {
            peerInfo.keySet().removeIf(peer -> host.connections(peer).isEmpty());
        }
        identified.accept(info);
    }
}
