package org.hyphae.discovery.kad.internal.memory;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import org.hyphae.identity.PeerId;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Direction;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.ProtocolHandler;
import org.hyphae.transport.ProtocolNotSupportedException;
import org.hyphae.transport.Stream;

/** One side of an in-memory connection; see {@link MemoryNetwork}. */
public final class MemoryConnection implements Connection {

    private final MemoryNetwork network;
    private final MemoryNode local;
    private final MemoryNode remote;
    private final Direction direction;
    private final Multiaddr localAddress;
    private final Multiaddr remoteAddress;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    final List<MemoryStream> streams = new CopyOnWriteArrayList<>();
    MemoryConnection peer;

    MemoryConnection(MemoryNetwork network, MemoryNode local, MemoryNode remote, Direction direction,
            Multiaddr localAddress, Multiaddr remoteAddress) {
        this.network = network;
        this.local = local;
        this.remote = remote;
        this.direction = direction;
        this.localAddress = localAddress;
        this.remoteAddress = remoteAddress;
    }

    /** The other side of this connection. */
    public MemoryConnection peer() {
        return peer;
    }

    @Override
    public PeerId remotePeer() {
        return remote.localPeer();
    }

    @Override
    public Multiaddr remoteAddress() {
        return remoteAddress;
    }

    @Override
    public Multiaddr localAddress() {
        return localAddress;
    }

    @Override
    public Direction direction() {
        return direction;
    }

    @Override
    public String transport() {
        return "memory";
    }

    @Override
    public CompletionStage<Stream> newStream(List<String> protocols) {
        CompletableFuture<Stream> result = new CompletableFuture<>();
        network.io.execute(() -> {
            if (closed.isDone()) {
                result.completeExceptionally(new IOException("connection to " + remotePeer() + " is closed"));
                return;
            }
            for (String protocol : protocols) {
                ProtocolHandler handler = remote.handlers.get(protocol);
                if (handler != null) {
                    MemoryStream[] pair = MemoryStream.pair(network, this, peer, protocol);
                    streams.add(pair[0]);
                    peer.streams.add(pair[1]);
                    result.complete(pair[0]);
                    try {
                        handler.handle(pair[1]);
                    } catch (RuntimeException e) {
                        network.violation("handler for " + protocol + " threw " + e);
                        pair[1].reset();
                    }
                    return;
                }
            }
            result.completeExceptionally(new ProtocolNotSupportedException(remotePeer().toString(), protocols));
        });
        return result;
    }

    @Override
    public List<Stream> streams() {
        return List.copyOf(streams);
    }

    @Override
    public void close() {
        if (closed.isDone()) {
            return;
        }
        closed.complete(null);
        local.remove(this);
        for (MemoryStream s : streams) {
            s.reset();
        }
        peer.close();
    }

    @Override
    public CompletionStage<Void> closed() {
        return closed;
    }
}
