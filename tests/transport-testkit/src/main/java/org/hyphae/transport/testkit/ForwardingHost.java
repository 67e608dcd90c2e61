package org.hyphae.transport.testkit;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

import org.hyphae.identity.PeerId;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Host;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.PeerInfo;
import org.hyphae.transport.Stream;

/** A {@link Host} that forwards every call; tests override what they want to watch or break. */
public class ForwardingHost implements Host {
    private final Host delegate;

    public ForwardingHost(Host delegate) {
        this.delegate = delegate;
    }

    @Override
    public PeerId localPeer() {
        return delegate.localPeer();
    }

    @Override
    public List<Multiaddr> listenAddresses() {
        return delegate.listenAddresses();
    }

    @Override
    public CompletionStage<Connection> connect(Multiaddr address) {
        return delegate.connect(address);
    }

    @Override
    public CompletionStage<Stream> newStream(PeerId peer, List<String> protocols) {
        return delegate.newStream(peer, protocols);
    }

    @Override
    public List<Connection> connections() {
        return delegate.connections();
    }

    @Override
    public List<Connection> connections(PeerId peer) {
        return delegate.connections(peer);
    }

    @Override
    public Set<String> protocols() {
        return delegate.protocols();
    }

    @Override
    public Optional<PeerInfo> peerInfo(PeerId peer) {
        return delegate.peerInfo(peer);
    }
}
