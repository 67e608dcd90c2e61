package org.hyphae.discovery.peerstore.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.hyphae.discovery.PeerRecord;
import org.hyphae.discovery.PeerStore;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.Test;

/** The bounds, eviction order, expiry, score decay and latency average of the in-memory records. */
class PeerBookTest {

    private static final long HOUR = TimeUnit.HOURS.toMillis(1);
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final PeerId self = TestIdentity.random().peerId();

    private PeerBook book(int maxPeers, int maxAddrs) {
        return new PeerBook(self, new PeerBook.Limits(maxPeers, maxAddrs, 128, TimeUnit.MINUTES.toMillis(10)), clock::get);
    }

    private static Multiaddr tcp(int port) {
        return Multiaddr.parse("/ip4/10.0.0.1/tcp/" + port);
    }

    @Test
    void keepsAddressesWithSourcesAndRefreshesThem() {
        PeerBook book = book(10, 8);
        PeerId p = TestIdentity.random().peerId();
        assertEquals(1, book.addAddresses(p, List.of(tcp(1)), "mdns", HOUR).kept());
        clock.addAndGet(1000);
        assertEquals(1, book.addAddresses(p, List.of(tcp(1).withPeerId(p)), "kad", HOUR).kept());
        PeerRecord r = book.get(p).orElseThrow();
        assertEquals(1, r.addresses().size());
        assertEquals(Set.of("mdns", "kad"), r.addresses().get(0).sources());
        assertEquals(clock.get(), r.addresses().get(0).lastSeen().toEpochMilli());
        // Ed25519 ids inline their key: the store has it without asking.
        assertTrue(r.publicKey().isPresent());
        assertEquals(p, PeerId.fromPublicKeyProtobuf(r.publicKey().get()));
    }

    @Test
    void refusesItsOwnIdAndUndialableAddresses() {
        PeerBook book = book(10, 8);
        assertEquals(0, book.addAddresses(self, List.of(tcp(1)), "mdns", HOUR).kept());
        assertTrue(book.get(self).isEmpty());
        PeerId p = TestIdentity.random().peerId();
        PeerId other = TestIdentity.random().peerId();
        PeerBook.Added added = book.addAddresses(p, List.of(
                Multiaddr.parse("/ip4/0.0.0.0/tcp/4001"),
                Multiaddr.parse("/ip4/224.0.0.251/udp/5353"),
                Multiaddr.parse("/ip4/10.0.0.1/tcp/0"),
                Multiaddr.parse("/ip6/::/tcp/4001"),
                Multiaddr.parse("/ip4/10.0.0.1"),
                Multiaddr.parse("/ip4/10.0.0.1/tcp/4001/p2p/" + other),
                Multiaddr.parse("/ip4/10.0.0.2/tcp/4001/ws")), "kad", HOUR);
        assertEquals(1, added.kept());
        assertEquals(6, book.counters().addressesRejected());
        assertTrue(added.problems().get(0).contains("unspecified IPv4"), added.problems().toString());
        assertEquals(List.of(Multiaddr.parse("/ip4/10.0.0.2/tcp/4001/ws")),
                book.get(p).orElseThrow().toPeerAddresses().addresses());
    }

    @Test
    void thousandsOfAddressesForOnePeerAreCutToTheLimit() {
        PeerBook book = book(10, 16);
        PeerId p = TestIdentity.random().peerId();
        book.identified(p, List.of(tcp(9999)), Set.of("/ipfs/id/1.0.0"), "js-libp2p/3", HOUR);
        clock.addAndGet(1000);
        List<Multiaddr> flood = new ArrayList<>();
        for (int i = 1; i <= 5000; i++) {
            flood.add(Multiaddr.parse("/ip4/10.1." + (i / 250) + "." + (i % 250 + 1) + "/tcp/4001"));
        }
        PeerBook.Added added = book.addAddresses(p, flood, "kad", HOUR);
        PeerRecord r = book.get(p).orElseThrow();
        assertEquals(16, r.addresses().size());
        // The second-hand flood displaced nothing first-hand: identify's address is still there.
        assertTrue(r.toPeerAddresses().addresses().contains(tcp(9999)));
        assertEquals(15, added.kept());
        assertTrue(book.counters().addressesDropped() >= 5000 - 16, book.counters().toString());
    }

    @Test
    void aFloodOfPeersEvictsOnlyPeersNeverConnected() {
        PeerBook book = book(100, 4);
        PeerId connected = TestIdentity.random().peerId();
        PeerId known = TestIdentity.random().peerId();
        book.addAddresses(connected, List.of(tcp(1)), "bootstrap", HOUR);
        book.identified(known, List.of(tcp(2)), Set.of(), "hyphae", HOUR);
        book.connected(Set.of(connected));
        for (int i = 0; i < 5000; i++) {
            clock.incrementAndGet();
            book.addAddresses(TestIdentity.random().peerId(), List.of(tcp(3)), "flood", HOUR);
        }
        assertEquals(100, book.size());
        assertTrue(book.get(connected).isPresent(), "a connected peer is never evicted");
        assertTrue(book.get(known).isPresent(), "a peer that was identified outranks ones never reached");
        assertTrue(book.counters().peersEvicted() >= 4900, book.counters().toString());
    }

    @Test
    void penalizedPeersGoFirstAndTheScoreDecays() {
        PeerBook book = book(2, 4);
        PeerId bad = TestIdentity.random().peerId();
        PeerId good = TestIdentity.random().peerId();
        book.addAddresses(bad, List.of(tcp(1)), "kad", HOUR);
        clock.addAndGet(1000);
        book.addAddresses(good, List.of(tcp(2)), "kad", HOUR);
        book.penalize(bad, 10);
        assertEquals(-10, book.get(bad).orElseThrow().score(), 1e-9);
        clock.addAndGet(TimeUnit.MINUTES.toMillis(10));
        assertEquals(-5, book.get(bad).orElseThrow().score(), 1e-6);
        // good is older-seen than the newcomer, but bad scores worse: bad goes.
        clock.addAndGet(1000);
        book.addAddresses(TestIdentity.random().peerId(), List.of(tcp(3)), "kad", HOUR);
        assertTrue(book.get(bad).isEmpty());
        assertTrue(book.get(good).isPresent());
        // The best score comes first in the listing.
        book.penalize(good, 1);
        assertEquals(good, book.records().get(1).peer());
    }

    @Test
    void whenEveryPeerIsWorthMoreTheNewcomerIsRefused() {
        PeerBook book = book(2, 4);
        PeerId a = TestIdentity.random().peerId();
        PeerId b = TestIdentity.random().peerId();
        book.addAddresses(a, List.of(tcp(1)), "kad", HOUR);
        book.addAddresses(b, List.of(tcp(2)), "kad", HOUR);
        book.connected(Set.of(a, b));
        PeerId c = TestIdentity.random().peerId();
        assertEquals(0, book.addAddresses(c, List.of(tcp(3)), "kad", HOUR).kept());
        assertTrue(book.get(c).isEmpty());
        assertEquals(1, book.counters().peersRefused());
    }

    @Test
    void addressesExpireAndEmptyPeersAreSwept() {
        PeerBook book = book(10, 4);
        PeerId p = TestIdentity.random().peerId();
        PeerId penalized = TestIdentity.random().peerId();
        book.addAddresses(p, List.of(tcp(1)), "mdns", 60_000);
        book.addAddresses(penalized, List.of(tcp(2)), "mdns", 60_000);
        book.penalize(penalized, 100);
        clock.addAndGet(59_000);
        assertEquals(1, book.get(p).orElseThrow().addresses().size());
        clock.addAndGet(2_000);
        assertEquals(0, book.get(p).orElseThrow().addresses().size(), "an expired address is not listed");
        assertEquals(1, book.sweep());
        assertTrue(book.get(p).isEmpty());
        assertTrue(book.get(penalized).isPresent(), "a penalty is remembered after the addresses expire");
        assertEquals(2, book.counters().addressesExpired());
    }

    @Test
    void latencyIsAMovingAverage() {
        PeerBook book = book(10, 4);
        PeerId p = TestIdentity.random().peerId();
        book.addAddresses(p, List.of(tcp(1)), "kad", HOUR);
        book.recordLatency(p, 10_000_000);
        assertEquals(10_000_000, book.get(p).orElseThrow().latency().orElseThrow().toNanos());
        book.recordLatency(p, 110_000_000);
        assertEquals(20_000_000, book.get(p).orElseThrow().latency().orElseThrow().toNanos());
        book.recordLatency(TestIdentity.random().peerId(), 5);
        assertEquals(1, book.size(), "latency of an unknown peer makes no record");
    }

    @Test
    void smallerLimitsApplyAtOnce() {
        PeerBook book = book(10, 8);
        for (int i = 0; i < 10; i++) {
            clock.incrementAndGet();
            book.addAddresses(TestIdentity.random().peerId(), List.of(tcp(1), tcp(2), tcp(3)), "kad", HOUR);
        }
        book.limits(new PeerBook.Limits(4, 2, 128, 1000));
        assertEquals(4, book.size());
        book.records().forEach(r -> assertEquals(2, r.addresses().size()));
    }

    @Test
    void changesAreTrackedForTheDatastore() {
        PeerBook book = book(10, 8);
        PeerId p = TestIdentity.random().peerId();
        book.addAddresses(p, List.of(tcp(1)), PeerStore.SOURCE_MANUAL, HOUR);
        PeerBook.Changes c = book.drainChanges();
        assertEquals(Set.of(p), c.changed().keySet());
        assertTrue(book.drainChanges().changed().isEmpty());
        assertTrue(book.remove(p));
        assertFalse(book.remove(p));
        assertEquals(Set.of(p), book.drainChanges().removed());
    }
}
