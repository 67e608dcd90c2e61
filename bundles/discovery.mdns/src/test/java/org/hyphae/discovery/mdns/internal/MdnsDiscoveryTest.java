package org.hyphae.discovery.mdns.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.hyphae.discovery.PeerAddresses;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.testkit.MemoryNetwork;
import org.hyphae.transport.testkit.MemoryNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.hyphae.transport.testkit.ComponentConfigs;

/**
 * Two responders/queriers on real multicast sockets of this machine (on a port of their own, so
 * that they do not meet other mDNS traffic) find each other, and garbage sent to the group is
 * counted without stopping them.
 */
class MdnsDiscoveryTest {

    private static final int PORT = 35353 + (int) (ProcessHandle.current().pid() % 1000);
    private final MemoryNetwork network = new MemoryNetwork();
    private MdnsDiscovery a;
    private MdnsDiscovery b;

    @AfterEach
    void close() {
        if (a != null) {
            a.deactivate();
        }
        if (b != null) {
            b.deactivate();
        }
        network.close();
    }

    private static MdnsConfig config() {
        return ComponentConfigs.of(MdnsConfig.class, Map.of("port", PORT, "queryIntervalSeconds", 1));
    }

    private static Optional<PeerAddresses> await(MdnsDiscovery d, MemoryNode want, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            Optional<PeerAddresses> p = d.peers().stream().filter(x -> x.peer().equals(want.localPeer())).findFirst();
            if (p.isPresent()) {
                return p;
            }
            Thread.sleep(100);
        }
        return Optional.empty();
    }

    @Test
    void twoNodesFindEachOther() throws Exception {
        MemoryNode na = network.node();
        MemoryNode nb = network.node();
        nb.addListenAddress(Multiaddr.parse("/ip4/0.0.0.0/tcp/4999"));
        nb.addListenAddress(Multiaddr.parse("/ip4/8.8.8.8/tcp/4001"));
        a = new MdnsDiscovery(na, config());
        b = new MdnsDiscovery(nb, config());
        PeerAddresses seenByA = await(a, nb, 20_000).orElseThrow(() -> new AssertionError("a never found b"));
        PeerAddresses seenByB = await(b, na, 20_000).orElseThrow(() -> new AssertionError("b never found a"));
        assertEquals(na.listenAddresses(), seenByB.addresses());
        assertTrue(seenByA.addresses().contains(nb.listenAddresses().get(0)), seenByA.toString());
        // 0.0.0.0 is announced as the interfaces' addresses (loopback among them); a public one is not.
        assertTrue(seenByA.addresses().contains(Multiaddr.parse("/ip4/127.0.0.1/tcp/4999")), seenByA.toString());
        assertTrue(seenByA.addresses().stream().noneMatch(x -> x.toString().contains("8.8.8.8")), seenByA.toString());
        assertTrue(seenByA.addresses().stream().noneMatch(x -> x.toString().contains("0.0.0.0")), seenByA.toString());
        assertTrue(a.peers().stream().noneMatch(p -> p.peer().equals(na.localPeer())), "never itself");
    }

    @Test
    void garbageOnTheGroupIsCountedAndHarmless() throws Exception {
        MemoryNode na = network.node();
        MemoryNode nb = network.node();
        a = new MdnsDiscovery(na, config());
        try (DatagramSocket s = new DatagramSocket()) {
            InetAddress group = InetAddress.getByName("224.0.0.251");
            for (byte[] junk : List.of(new byte[] {1, 2, 3}, new byte[9500], new byte[] {0, 0, (byte) 0x84, 0, 0, 1})) {
                s.send(new DatagramPacket(junk, junk.length, group, PORT));
            }
        }
        long deadline = System.currentTimeMillis() + 10_000;
        while (a.rejected() < 2 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(a.rejected() >= 2, "rejected " + a.rejected());
        b = new MdnsDiscovery(nb, config());
        assertTrue(await(a, nb, 20_000).isPresent(), "still finds peers after the garbage");
    }
}
