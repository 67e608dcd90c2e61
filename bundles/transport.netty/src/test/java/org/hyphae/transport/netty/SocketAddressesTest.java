package org.hyphae.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;

import org.hyphae.transport.Multiaddr;
import org.junit.jupiter.api.Test;

class SocketAddressesTest {

    @Test
    void ipAndDnsAddresses() {
        assertEquals(new InetSocketAddress("127.0.0.1", 4001),
                SocketAddresses.tcp(Multiaddr.parse("/ip4/127.0.0.1/tcp/4001")).orElseThrow());
        assertEquals(new InetSocketAddress("::1", 4001),
                SocketAddresses.tcp(Multiaddr.parse("/ip6/::1/tcp/4001/ws")).orElseThrow());
        InetSocketAddress dns = SocketAddresses.tcp(Multiaddr.parse("/dns4/localhost/tcp/80")).orElseThrow();
        assertTrue(dns.isUnresolved());
        assertEquals("localhost", dns.getHostString());
        assertTrue(SocketAddresses.tcp(Multiaddr.parse("/ip4/127.0.0.1/udp/4001")).isEmpty());
    }

    @Test
    void roundTrip() {
        Multiaddr address = Multiaddr.parse("/ip4/127.0.0.1/tcp/4001");
        assertEquals(address, SocketAddresses.toMultiaddr(SocketAddresses.tcp(address).orElseThrow()));
        assertEquals(Multiaddr.parse("/ip6/::1/tcp/1"),
                SocketAddresses.toMultiaddr(new InetSocketAddress("::1", 1)));
    }

    @Test
    void wildcardExpandsToInterfacesLoopbackFirst() {
        var reachable = SocketAddresses.reachable(new InetSocketAddress("0.0.0.0", 5));
        assertTrue(reachable.get(0).getAddress().isLoopbackAddress(), reachable.toString());
        assertTrue(reachable.stream().allMatch(a -> a.getPort() == 5));
    }
}
