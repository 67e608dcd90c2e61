package org.hyphae.kadsim;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.RawConnection;
import org.hyphae.transport.Transport;

/**
 * One host's view of a transport shared by every host in the JVM (one set of Netty event loops for
 * all): dials and listens through it, but lists only the listeners this host opened, which is what
 * the host advertises.
 */
final class HostTransport implements Transport {

    private final Transport shared;
    private final List<Listener> mine = new CopyOnWriteArrayList<>();

    HostTransport(Transport shared) {
        this.shared = shared;
    }

    @Override
    public boolean canDial(Multiaddr address) {
        return shared.canDial(address);
    }

    @Override
    public boolean canListen(Multiaddr address) {
        return shared.canListen(address);
    }

    @Override
    public CompletionStage<RawConnection> dial(Multiaddr address) {
        return shared.dial(address);
    }

    @Override
    public Listener listen(Multiaddr address, Consumer<RawConnection> inbound) throws IOException {
        Listener l = shared.listen(address, inbound);
        Listener tracked = new Listener() {
            @Override
            public Multiaddr address() {
                return l.address();
            }

            @Override
            public void close() {
                mine.remove(this);
                l.close();
            }
        };
        mine.add(tracked);
        return tracked;
    }

    @Override
    public List<Multiaddr> listenAddresses() {
        return mine.stream().map(Listener::address).toList();
    }
}
