package org.hyphae.discovery.bootstrap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.hyphae.discovery.PeerAddresses;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Host;
import org.hyphae.transport.Multiaddr;
import org.junit.jupiter.api.Test;

class BootstrapDiscoveryTest {

    private static final String A = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";
    private static final String B = "QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC";

    @Test
    void parsesMergesAndSkipsBadEntries() {
        List<PeerAddresses> peers = BootstrapDiscovery.parse(new String[] {
                "/ip4/127.0.0.1/tcp/4001/p2p/" + A, " /ip4/127.0.0.1/tcp/4002/ws/p2p/" + A, "",
                "/dnsaddr/bootstrap.libp2p.io/p2p/" + B, "/ip4/10.0.0.1/tcp/1", "not an address"});
        assertEquals(2, peers.size());
        assertEquals(PeerId.parse(A), peers.get(0).peer());
        assertEquals(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/4001"), Multiaddr.parse("/ip4/127.0.0.1/tcp/4002/ws")),
                peers.get(0).addresses());
        assertEquals(PeerId.parse(B), peers.get(1).peer());
    }

    @Test
    void dialsEachAddressUntilOneWorksAndSkipsConnectedPeers() {
        List<String> dialled = new ArrayList<>();
        Host host = (Host) Proxy.newProxyInstance(Host.class.getClassLoader(), new Class<?>[] {Host.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "localPeer" -> PeerId.parse(B);
                    case "connections" -> List.of();
                    case "connect" -> {
                        dialled.add(args[0].toString());
                        yield args[0].toString().contains("/tcp/4001")
                                ? CompletableFuture.failedFuture(new IOException("refused"))
                                : new CompletableFuture<>();
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        BootstrapDiscovery d = new BootstrapDiscovery(host, config(0,
                "/ip4/127.0.0.1/tcp/4001/p2p/" + A, "/ip4/127.0.0.1/tcp/4002/p2p/" + A, "/ip4/127.0.0.1/tcp/9/p2p/" + B));
        d.deactivate();
        dialled.clear();
        d.connectAll();
        assertEquals(List.of("/ip4/127.0.0.1/tcp/4001/p2p/" + A, "/ip4/127.0.0.1/tcp/4002/p2p/" + A), dialled,
                "second address after the first failed; never itself");
    }

    private static BootstrapConfig config(int reconnect, String... peers) {
        return new BootstrapConfig() {
            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return BootstrapConfig.class;
            }

            @Override
            public String[] peers() {
                return peers;
            }

            @Override
            public int reconnectSeconds() {
                return reconnect;
            }
        };
    }
}
