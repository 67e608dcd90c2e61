package org.hyphae.discovery.kad.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.hyphae.discovery.RecordValidator;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.testkit.MemoryNode;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Routing-table maintenance, per-bucket refresh and GET_VALUE with a quorum, as the kad-dht spec has them. */
class SpecConformanceTest {

    static final java.util.function.Function<String, RecordValidator> VALIDATORS = ns -> switch (ns) {
        case "pk" -> new PublicKeyValidator();
        case "signed" -> new SignedTestValidator();
        default -> null;
    };

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private KadSim sim;

    @AfterEach
    void stop() {
        if (sim != null) {
            sim.close();
        }
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** A node (serving kad) whose key falls in bucket {@code cpl} of {@code of}. */
    private KadDht nodeInBucket(KadDht of, int cpl) {
        KadKey self = of.routingTable().selfKey();
        while (true) {
            MemoryNode n = sim.net.node();
            if (self.commonPrefixLength(KadKey.of(n.localPeer().bytes())) == cpl) {
                return sim.add(n, () -> null);
            }
            sim.net.remove(n);
        }
    }

    /** Connects {@code from} to {@code to} and has {@code to} answer a PING. */
    private void answers(KadDht from, KadDht to) throws Exception {
        sim.net.connect(sim.nodes.get(sim.dhts.indexOf(from)), sim.nodes.get(sim.dhts.indexOf(to)));
        await(from.request(id(to), KadMessage.request(KadMessage.Type.PING, new byte[0]), true));
    }

    private static PeerId id(KadDht d) {
        return d.localPeer();
    }

    @Test
    void aFullBucketKeepsAnOldContactThatAnswersAndReplacesOneThatDoesNot() throws Exception {
        sim = new KadSim(clock::get, 2, VALIDATORS);
        KadDht victim = sim.add();
        KadDht a = nodeInBucket(victim, 0);
        KadDht b = nodeInBucket(victim, 0);
        answers(victim, a);
        clock.addAndGet(1000);
        answers(victim, b);
        assertTrue(victim.routingTable().contains(id(a)) && victim.routingTable().contains(id(b)));

        // The bucket (k = 2) is full: a newcomer that answers makes the table check a, the least recently seen.
        clock.addAndGet(1000);
        KadDht c = nodeInBucket(victim, 0);
        answers(victim, c);
        waitFor(() -> victim.maintenance().checksInFlight() == 0, "the check of the old contact");
        assertTrue(victim.routingTable().contains(id(a)), "a answered its check and keeps its place");
        assertTrue(victim.routingTable().contains(id(b)));
        assertFalse(victim.routingTable().contains(id(c)), "the newcomer did not displace a live contact");

        // Now b is the least recently seen (a was just checked); b leaves the network.
        clock.addAndGet(1000);
        sim.net.remove(sim.nodes.get(sim.dhts.indexOf(b)));
        KadDht d = nodeInBucket(victim, 0);
        answers(victim, d);
        waitFor(() -> victim.maintenance().checksInFlight() == 0, "the check of the old contact");
        waitFor(() -> victim.routingTable().contains(id(d)), "the newcomer taking the dead contact's place");
        assertFalse(victim.routingTable().contains(id(b)), "b failed its check and was replaced");
        assertTrue(victim.routingTable().contains(id(a)));
        assertEquals(2, victim.routingTable().size());
    }

    @Test
    void randomKeysLandInTheBucketAsked() {
        KadKey self = KadKey.of(TestIdentity.random().peerId().bytes());
        Random random = new Random(3);
        for (int cpl = 0; cpl <= KadDht.MAX_REFRESH_CPL; cpl++) {
            assertEquals(cpl, self.commonPrefixLength(KadKey.of(KadKey.randomInBucket(self, cpl, random))));
        }
    }

    @Test
    void refreshLooksUpEveryStaleBucketAndOnlyThose() throws Exception {
        sim = new KadSim(clock::get, 20, VALIDATORS);
        sim.grow(40);
        KadDht d = sim.dhts.get(7);
        long interval = TimeUnit.MINUTES.toMillis(10);
        // Bootstrap refreshed every bucket up to the deepest non-empty one plus one.
        assertEquals(List.of(), d.routingTable().staleBuckets(clock.get(), interval, KadDht.MAX_REFRESH_CPL));

        clock.addAndGet(interval + 1);
        List<Integer> stale = d.routingTable().staleBuckets(clock.get(), interval, KadDht.MAX_REFRESH_CPL);
        assertTrue(stale.size() >= 3, "stale buckets " + stale);
        assertEquals(0, stale.get(0));
        // A lookup into bucket 0 makes it fresh again: the refresh skips it.
        await(d.closestPeers(KadKey.randomInBucket(d.routingTable().selfKey(), 0, new Random(1))));
        assertFalse(d.routingTable().staleBuckets(clock.get(), interval, KadDht.MAX_REFRESH_CPL).contains(0));

        await(d.refresh(interval));
        assertEquals(List.of(), d.routingTable().staleBuckets(clock.get(), interval, KadDht.MAX_REFRESH_CPL));
    }

    /** Grows a network, then stores versions of one signed record straight into the 20 closest nodes' stores. */
    private List<KadDht> holders(byte[] key) throws Exception {
        sim = new KadSim(clock::get, 20, VALIDATORS);
        sim.grow(30);
        KadKey target = KadKey.of(key);
        List<KadDht> closest = new ArrayList<>(sim.dhts);
        closest.sort(Comparator.comparing(x -> KadKey.of(x.localPeer().bytes()), target::compareDistance));
        return closest;
    }

    @Test
    void getCollectsAQuorumPicksTheBestAndCorrectsStaleAndInvalidHolders() throws Exception {
        TestIdentity owner = TestIdentity.random();
        byte[] key = SignedTestValidator.key(owner);
        List<KadDht> byDistance = holders(key);
        List<KadDht> holders = byDistance.subList(0, 20);
        KadDht asker = byDistance.get(29);
        byte[] v1 = SignedTestValidator.value(owner, 1);
        byte[] v2 = SignedTestValidator.value(owner, 2);
        byte[] forged = SignedTestValidator.value(TestIdentity.random(), 3); // newest, but not the owner's signature
        long expiry = clock.get() + KadDht.RECORD_TTL_MS;
        for (int i = 0; i < holders.size(); i++) {
            byte[] v = i == 0 ? forged : i % 2 == 0 ? v2 : v1;
            holders.get(i).store().putValue(key, v, "t", expiry); // straight into the store, as a stale or lying holder has it
        }
        ValueQuery.Result r = await(asker.getWithQuorum(key, 100)); // more than can answer: the lookup runs to its end
        assertArrayEquals(v2, r.best().orElseThrow(), "the validator's select picked the highest valid sequence");
        assertEquals(19, r.answers(), "every honest holder answered");
        PeerId liar = holders.get(0).localPeer();
        assertTrue(asker.penalty().excluded(liar), "the holder of the forged record was penalized");
        assertFalse(asker.routingTable().contains(liar));
        assertEquals(11, r.corrected().size(), "the 10 stale holders and the forged one were sent the best record");
        waitFor(() -> holders.stream().allMatch(h -> h.store().getValue(key, clock.get())
                .map(v -> java.util.Arrays.equals(v.value(), v2)).orElse(false)), "every holder corrected");
    }

    @Test
    void getStopsAtTheQuorumAndCountsTheLocalRecord() throws Exception {
        TestIdentity owner = TestIdentity.random();
        byte[] key = SignedTestValidator.key(owner);
        List<KadDht> byDistance = holders(key);
        byte[] v1 = SignedTestValidator.value(owner, 1);
        byte[] v2 = SignedTestValidator.value(owner, 2);
        for (KadDht h : byDistance.subList(0, 20)) {
            h.store().putValue(key, v1, "t", clock.get() + KadDht.RECORD_TTL_MS);
        }
        KadDht asker = byDistance.get(25);
        asker.store().putValue(key, v2, "t", clock.get() + KadDht.RECORD_TTL_MS);
        ValueQuery.Result r = await(asker.getWithQuorum(key, 4));
        assertEquals(4, r.answers(), "the local record and three remote ones");
        assertArrayEquals(v2, r.best().orElseThrow());
        assertEquals(3, r.corrected().size(), "the three that answered with the older record were corrected");
        // Quorum 1 with a local record: no network at all (spec: Q in {0, 1}).
        ValueQuery.Result local = await(asker.getWithQuorum(key, 1));
        assertEquals(1, local.answers());
        assertArrayEquals(v2, local.best().orElseThrow());
        // The default get (quorum 16) gives the same best record.
        assertArrayEquals(v2, await(byDistance.get(26).get(key)).orElseThrow());
    }
}
