package org.hyphae.pubsub.gossipsub.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.hyphae.identity.PeerId;
import org.hyphae.pubsub.gossipsub.internal.Rpc.Control;
import org.hyphae.pubsub.gossipsub.internal.Rpc.Graft;
import org.hyphae.pubsub.gossipsub.internal.Rpc.IHave;
import org.hyphae.pubsub.gossipsub.internal.Rpc.Prune;
import org.hyphae.pubsub.gossipsub.internal.Rpc.SubOpts;
import org.hyphae.pubsub.gossipsub.internal.Rpc.WireMessage;
import org.junit.jupiter.api.Test;

/**
 * The bad-input cases, each from a hand-driven rogue peer against a victim router that also
 * has an honest neighbour: the bad input is dropped, the rogue is scored down and graylisted, and
 * the honest neighbour's messages keep arriving.
 */
class BadInputTest {

    private static final String TOPIC = "tx";

    /** victim subscribed, with an honest neighbour; a rogue attached and announced on the topic. */
    private static final class Setup implements AutoCloseable {
        final Sim sim = new Sim();
        final Sim.Node victim = sim.node();
        final Sim.Node honest = sim.node();
        final Sim.Rogue rogue = sim.new Rogue();
        final PeerId rogueId = rogue.identity.peerId();

        Setup() throws Exception {
            sim.connect(honest, victim);
            victim.subscribe(TOPIC);
            honest.subscribe(TOPIC);
            rogue.attach(victim);
            rogue.send(new Rpc(List.of(new SubOpts(true, TOPIC)), List.of(), null));
            sim.heartbeats(2);
        }

        double score() throws Exception {
            return Sim.get(victim.router.score(rogueId));
        }

        boolean graylisted() throws Exception {
            return score() < ScoreParams.defaults().graylistThreshold();
        }

        /** The honest neighbour publishes; the victim must get it. */
        void honestTrafficFlows(String text) throws Exception {
            long before = victim.count(TOPIC);
            Sim.get(honest.router.publish(TOPIC, text.getBytes()).toCompletableFuture());
            Sim.await("honest message at the victim", () -> victim.count(TOPIC) == before + 1);
        }

        @Override
        public void close() {
            sim.close();
        }
    }

    @Test
    void badSignaturesAreDroppedPenalisedAndGraylistTheSender() throws Exception {
        try (Setup s = new Setup()) {
            for (int i = 0; i < 4; i++) {
                WireMessage good = s.rogue.signed(TOPIC, ("forged " + i).getBytes(), 100 + i);
                byte[] sig = good.signature().clone();
                sig[5] ^= 1;
                s.rogue.send(Rpc.ofMessages(List.of(new WireMessage(good.from(), good.data(), good.seqno(), TOPIC, sig, null))));
            }
            s.sim.settle();
            assertEquals(0, s.victim.count(TOPIC), "no forged message delivered");
            // P4 = -10 * count^2: the third one takes the rogue below the graylist threshold (-80).
            // Signatures are checked off the router thread, so the fourth RPC may have been read
            // before the third verdict landed: then it counts too, else it is not even read.
            double p4 = Sim.get(s.victim.router.invalidDeliveries(s.rogueId, TOPIC));
            long graylisted = s.victim.router.stats().graylistedRpcs();
            assertTrue(p4 == 4.0 && graylisted == 0 || p4 == 3.0 && graylisted == 1,
                    "P4 per bad message: " + p4 + ", RPCs dropped as graylisted: " + graylisted);
            assertTrue(s.graylisted(), "score " + s.score());
            // Once graylisted, even a valid message from the rogue is ignored.
            long grayBefore = s.victim.router.stats().graylistedRpcs();
            s.rogue.send(Rpc.ofMessages(List.of(s.rogue.signed(TOPIC, "valid but graylisted".getBytes(), 200))));
            s.sim.settle();
            assertEquals(0, s.victim.count(TOPIC));
            assertEquals(grayBefore + 1, s.victim.router.stats().graylistedRpcs());
            s.honestTrafficFlows("still flowing");
        }
    }

    @Test
    void aForgedCopyDoesNotKeepTheRealMessageOut() throws Exception {
        try (Setup s = new Setup()) {
            // The rogue forges a message in the honest peer's name with the seqno it will use next:
            // same message id, bad signature. The real one must still get through.
            WireMessage real = s.rogue.signed(TOPIC, "x".getBytes(), 1);
            byte[] honestFrom = s.honest.host.localPeer().bytes();
            s.rogue.send(Rpc.ofMessages(List.of(new WireMessage(honestFrom, "fake".getBytes(), real.seqno(), TOPIC,
                    real.signature(), null))));
            s.sim.settle();
            assertEquals(0, s.victim.count(TOPIC));
            s.honestTrafficFlows("real");
        }
    }

    /** Signature checks held until {@link #open()}, then run on a thread of their own. */
    private static final class GatedVerifiers implements java.util.concurrent.Executor {
        private final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gated-verifier");
            t.setDaemon(true);
            return t;
        });
        private final List<Runnable> held = new ArrayList<>();
        private boolean open;

        @Override
        public synchronized void execute(Runnable task) {
            if (open) {
                pool.execute(task);
            } else {
                held.add(task);
            }
        }

        synchronized int held() {
            return held.size();
        }

        synchronized void open() {
            open = true;
            held.forEach(pool::execute);
            held.clear();
        }
    }

    @Test
    void aForgedCopyUnderCheckDoesNotKeepOutTheRealOneArrivingMeanwhile() throws Exception {
        try (Sim sim = new Sim()) {
            GatedVerifiers gate = new GatedVerifiers();
            Sim.Node victim = sim.node(Sim.manualParams(), ScoreParams.defaults(), gate);
            Sim.Rogue forger = sim.new Rogue();
            Sim.Rogue author = sim.new Rogue();
            victim.subscribe(TOPIC);
            for (Sim.Rogue r : List.of(forger, author)) {
                r.attach(victim);
                r.send(new Rpc(List.of(new SubOpts(true, TOPIC)), List.of(), null));
            }
            sim.heartbeats(2);
            // The forger sends a copy of the author's message with other data: same message id, bad
            // signature. It is held in the signature check while the real one arrives.
            WireMessage real = author.signed(TOPIC, "real".getBytes(), 1);
            forger.send(Rpc.ofMessages(List.of(new WireMessage(real.from(), "forged".getBytes(), real.seqno(), TOPIC,
                    real.signature(), null))));
            Sim.await("forged copy under check", () -> gate.held() == 1);
            author.send(Rpc.ofMessages(List.of(real)));
            sim.net.settle();
            Sim.get(victim.router.call(() -> null));
            assertEquals(1, gate.held(), "the real copy waits as a duplicate: not checked yet");
            gate.open();
            sim.settle();
            Sim.await("the real message", () -> victim.count(TOPIC) == 1);
            assertEquals("real", new String(victim.received.get(0).data()));
            assertEquals(1.0, Sim.get(victim.router.invalidDeliveries(forger.identity.peerId(), TOPIC)), 0.01,
                    "the forger pays for the forged copy");
            assertEquals(0.0, Sim.get(victim.router.invalidDeliveries(author.identity.peerId(), TOPIC)), 0.01,
                    "the author does not");
            sim.heartbeats(1);
            assertEquals(1, victim.count(TOPIC), "delivered once");
        }
    }

    @Test
    void anIDontWantFloodIsCappedPerHeartbeat() throws Exception {
        try (Setup s = new Setup()) {
            WireMessage m = s.rogue.signed(TOPIC, new byte[600], 1);
            // The honest neighbour gets the message through the victim (which caches it).
            s.rogue.send(Rpc.ofMessages(List.of(m)));
            Sim.await("at the victim", () -> s.victim.count(TOPIC) == 1);
            // 2,000 ids in one heartbeat, the real one last: only the first 512 are taken.
            List<MessageId> ids = new ArrayList<>();
            for (int k = 0; k < 1999; k++) {
                ids.add(MessageId.wrap(ByteBuffer.allocate(8).putLong(k).array()));
            }
            MessageId id = ValidationPipeline.messageId(m);
            ids.add(id);
            s.rogue.send(Rpc.ofControl(new Control(List.of(), List.of(), List.of(), List.of(),
                    List.of(new Rpc.IWant(ids.subList(0, 1000)), new Rpc.IWant(ids.subList(1000, 2000))))));
            long served = s.victim.router.stats().iwantServed();
            s.rogue.send(Rpc.ofControl(new Control(List.of(), List.of(new Rpc.IWant(List.of(id))), List.of(), List.of())));
            s.sim.settle();
            assertEquals(served + 1, s.victim.router.stats().iwantServed(), "ids beyond the cap are not taken");
            s.honestTrafficFlows("still flowing");
        }
    }

    @Test
    void unsignedMessagesUnderStrictSignAreRejected() throws Exception {
        try (Setup s = new Setup()) {
            for (int i = 0; i < 4; i++) {
                s.rogue.send(Rpc.ofMessages(List.of(new WireMessage(null, ("unsigned " + i).getBytes(), null, TOPIC, null, null))));
            }
            WireMessage signed = s.rogue.signed(TOPIC, "no sig".getBytes(), 7);
            s.rogue.send(Rpc.ofMessages(List.of(new WireMessage(signed.from(), signed.data(), signed.seqno(), TOPIC, null, null))));
            s.sim.settle();
            assertEquals(0, s.victim.count(TOPIC));
            assertEquals(3.0, Sim.get(s.victim.router.invalidDeliveries(s.rogueId, TOPIC)), 0.01, "graylisted after 3");
            assertEquals(2, s.victim.router.stats().graylistedRpcs());
            assertTrue(s.graylisted(), "score " + s.score());
            s.honestTrafficFlows("still flowing");
        }
    }

    @Test
    void oversizedMessagesAreRejectedAndOversizedFramesResetTheStream() throws Exception {
        try (Setup s = new Setup()) {
            byte[] big = new byte[(1 << 20) + 1];
            s.rogue.send(Rpc.ofMessages(List.of(s.rogue.signed(TOPIC, big, 1))));
            s.sim.settle();
            assertEquals(0, s.victim.count(TOPIC), "a message over 1 MiB is not delivered");
            assertEquals(1.0, Sim.get(s.victim.router.invalidDeliveries(s.rogueId, TOPIC)), 0.01);

            // A frame over the 4 MiB RPC limit: the victim stops reading and resets the stream.
            byte[] huge = new byte[(4 << 20) + 16];
            s.rogue.out.write(Sim.frame(huge));
            s.sim.settle();
            Sim.await("stream reset", () -> ((org.hyphae.transport.testkit.MemoryStream) s.rogue.out).isReset());
            assertTrue(Sim.get(s.victim.router.behaviourPenalty(s.rogueId)) >= 1, "P7 for the oversized frame");
            assertEquals(1, s.victim.router.stats().malformedRpcs());
            s.honestTrafficFlows("still flowing");
        }
    }

    @Test
    void replayedMessagesAreDeliveredOnceAndTheReplayerIsGraylisted() throws Exception {
        try (Setup s = new Setup()) {
            WireMessage m = s.rogue.signed(TOPIC, "once".getBytes(), 1);
            s.rogue.send(Rpc.ofMessages(List.of(m)));
            Sim.await("first copy", () -> s.victim.count(TOPIC) == 1);
            // Up to gossipRetransmission (3) repeats are tolerated (IWANT answers across id schemes);
            // each one beyond costs a P7 penalty: 17 penalties, -289, graylisted.
            for (int i = 0; i < 20; i++) {
                s.rogue.send(Rpc.ofMessages(List.of(m)));
            }
            s.sim.settle();
            s.sim.heartbeats(1);
            assertEquals(1, s.victim.count(TOPIC), "delivered exactly once");
            assertTrue(s.victim.router.stats().replays() >= 11, "replays counted: " + s.victim.router.stats());
            assertTrue(s.graylisted(), "score " + s.score());
            s.honestTrafficFlows("still flowing");
        }
    }

    @Test
    void anIHaveFloodIsCappedAndBrokenPromisesGraylistTheSender() throws Exception {
        try (Setup s = new Setup()) {
            for (int round = 0; round < 4 && !s.graylisted(); round++) {
                for (int i = 0; i < 30; i++) {
                    List<MessageId> ids = new ArrayList<>();
                    for (int k = 0; k < 300; k++) {
                        ids.add(MessageId.wrap(ByteBuffer.allocate(12).putInt(round).putInt(i).putInt(k).array()));
                    }
                    s.rogue.send(Rpc.ofControl(new Control(List.of(new IHave(TOPIC, ids)), List.of(), List.of(), List.of())));
                }
                s.sim.settle();
                s.sim.advance(Duration.ofSeconds(4)); // past the IWANT follow-up time: the promises are broken
                s.sim.heartbeats(1);
            }
            GossipRouter.Stats st = s.victim.router.stats();
            assertTrue(st.ihaveIgnored() > 0, "IHAVEs beyond 10 per heartbeat ignored: " + st);
            assertTrue(st.brokenPromises() > 0, st.toString());
            assertTrue(s.rogue.iwantIdsReceived() <= 4L * RouterParams.defaults().maxIHaveLength(),
                    "IWANT asks capped per heartbeat: " + s.rogue.iwantIdsReceived());
            assertTrue(s.graylisted(), "score " + s.score());
            s.honestTrafficFlows("still flowing");
        }
    }

    @Test
    void graftsDuringBackoffArePrunedPenalisedAndGraylistTheSender() throws Exception {
        try (Setup s = new Setup()) {
            s.rogue.send(Rpc.ofControl(new Control(List.of(), List.of(), List.of(new Graft(TOPIC)), List.of())));
            s.sim.settle();
            assertTrue(Sim.get(s.victim.router.mesh(TOPIC)).contains(s.rogueId), "a first GRAFT is accepted");
            s.rogue.send(Rpc.ofControl(new Control(List.of(), List.of(), List.of(), List.of(new Prune(TOPIC, List.of(), 60)))));
            s.sim.settle();
            assertFalse(Sim.get(s.victim.router.mesh(TOPIC)).contains(s.rogueId));
            long prunesBefore = s.rogue.prunesReceived();
            for (int i = 0; i < 6; i++) {
                s.rogue.send(Rpc.ofControl(new Control(List.of(), List.of(), List.of(new Graft(TOPIC)), List.of())));
            }
            s.sim.settle();
            assertFalse(Sim.get(s.victim.router.mesh(TOPIC)).contains(s.rogueId), "not re-grafted during backoff");
            assertTrue(s.victim.router.stats().graftsInBackoff() >= 4, s.victim.router.stats().toString());
            assertTrue(s.rogue.prunesReceived() > prunesBefore, "answered with PRUNE");
            assertTrue(s.graylisted(), "score " + s.score());
            s.sim.heartbeats(2);
            assertFalse(Sim.get(s.victim.router.mesh(TOPIC)).contains(s.rogueId), "a graylisted peer is never grafted");
            s.honestTrafficFlows("still flowing");
        }
    }

    @Test
    void malformedProtobufResetsTheStreamAndCostsAPenalty() throws Exception {
        try (Setup s = new Setup()) {
            s.rogue.send(new byte[] {0x0a, 0x7f, 0x01}); // field 1, length 127, one byte
            s.sim.settle();
            Sim.await("stream reset", () -> ((org.hyphae.transport.testkit.MemoryStream) s.rogue.out).isReset());
            assertTrue(Sim.get(s.victim.router.behaviourPenalty(s.rogueId)) >= 1);
            s.honestTrafficFlows("still flowing");
        }
    }
}
