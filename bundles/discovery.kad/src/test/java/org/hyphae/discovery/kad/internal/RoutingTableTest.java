package org.hyphae.discovery.kad.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.hyphae.discovery.PeerAddresses;
import org.hyphae.transport.testkit.TestIdentity;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Multiaddr;
import org.junit.jupiter.api.Test;

class RoutingTableTest {

    private static final List<Multiaddr> ADDR = List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/1"));

    @Test
    void keepsAtMostKPerBucketAndPrefersOldContacts() {
        PeerId self = TestIdentity.random().peerId();
        RoutingTable table = new RoutingTable(self, 20);
        KadKey selfKey = KadKey.of(self.bytes());
        // Half of all random ids fall in bucket 0 (first bit differs): fill it past k.
        List<PeerId> bucket0 = new ArrayList<>();
        while (bucket0.size() < 25) {
            PeerId p = TestIdentity.random().peerId();
            if (selfKey.commonPrefixLength(KadKey.of(p.bytes())) == 0) {
                bucket0.add(p);
            }
        }
        for (int i = 0; i < 20; i++) {
            assertTrue(table.add(bucket0.get(i), ADDR, i));
        }
        assertFalse(table.add(bucket0.get(20), ADDR, 100), "a full bucket keeps its proven contacts");
        assertEquals(20, table.buckets().get(0).size());
        table.failed(bucket0.get(3));
        assertTrue(table.add(bucket0.get(21), ADDR, 101), "a contact that failed makes room");
        assertTrue(table.find(bucket0.get(3)).isEmpty());
        assertFalse(table.add(self, ADDR, 1), "never itself");
    }

    @Test
    void closestIsSortedByXorDistance() {
        PeerId self = TestIdentity.random().peerId();
        RoutingTable table = new RoutingTable(self, 20);
        List<PeerId> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            PeerId p = TestIdentity.random().peerId();
            if (table.add(p, ADDR, i)) {
                all.add(p);
            }
        }
        KadKey target = KadKey.of(new byte[] {42});
        all.sort(Comparator.comparing(p -> KadKey.of(p.bytes()), target::compareDistance));
        List<PeerId> closest = table.closest(target, 20).stream().map(PeerAddresses::peer).toList();
        assertEquals(all.subList(0, 20), closest);
    }

    @Test
    void cutsLongAddressLists() {
        RoutingTable table = new RoutingTable(TestIdentity.random().peerId(), 20);
        List<Multiaddr> many = new ArrayList<>();
        for (int i = 1; i <= 5000; i++) {
            many.add(Multiaddr.parse("/ip4/10.0.0.1/tcp/" + i));
        }
        PeerId p = TestIdentity.random().peerId();
        table.add(p, many, 0);
        assertEquals(RoutingTable.MAX_ADDRESSES, table.find(p).orElseThrow().addresses().size());
    }
}
