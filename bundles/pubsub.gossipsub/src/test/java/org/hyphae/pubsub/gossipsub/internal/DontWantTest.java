package org.hyphae.pubsub.gossipsub.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.hyphae.pubsub.gossipsub.internal.Rpc.Control;
import org.hyphae.pubsub.gossipsub.internal.Rpc.IWant;
import org.hyphae.pubsub.gossipsub.internal.Rpc.SubOpts;
import org.hyphae.pubsub.gossipsub.internal.Rpc.WireMessage;
import org.junit.jupiter.api.Test;

/** IDONTWANT (gossipsub v1.2) both ways, against a hand-driven v1.2 peer. */
class DontWantTest {

    private static final String TOPIC = "blocks";

    @Test
    void announcesLargeMessagesToTheMeshAndSendsNothingAPeerDoesNotWant() throws Exception {
        try (Sim sim = new Sim()) {
            Sim.Node victim = sim.node();
            Sim.Node honest = sim.node();
            Sim.Rogue peer = sim.new Rogue();
            sim.connect(honest, victim);
            victim.subscribe(TOPIC);
            honest.subscribe(TOPIC);
            peer.attach(victim);
            peer.send(new Rpc(List.of(new SubOpts(true, TOPIC)), List.of(), null));
            sim.heartbeats(2);
            assertEquals(GossipRouter.MESHSUB_12, Sim.get(victim.router.connectedPeers()).get(peer.identity.peerId()),
                    "v1.2 negotiated with a peer that serves it");
            assertTrue(Sim.get(victim.router.mesh(TOPIC)).contains(peer.identity.peerId()), "the peer is in the mesh");

            // A large message from the honest node: the victim tells the peer it has it.
            Sim.get(honest.router.publish(TOPIC, new byte[1024]).toCompletableFuture());
            Sim.await("delivered", () -> victim.count(TOPIC) == 1);
            sim.settle();
            Set<MessageId> announced = dontWants(peer);
            WireMessage forwarded = peer.receivedRpcs.stream().flatMap(r -> r.publish().stream()).findFirst().orElseThrow();
            MessageId id = ValidationPipeline.messageId(forwarded);
            assertTrue(announced.contains(id), "IDONTWANT for " + id + " in " + announced);

            // A small one is not announced (as js-libp2p: below 512 bytes the copy costs about what the announcement would).
            Sim.get(honest.router.publish(TOPIC, new byte[100]).toCompletableFuture());
            Sim.await("delivered", () -> victim.count(TOPIC) == 2);
            sim.settle();
            assertEquals(1, dontWants(peer).size(), "only the large message announced");

            // The peer says it does not want the first message, then asks for it: not served.
            long servedBefore = victim.router.stats().iwantServed();
            peer.send(Rpc.ofControl(new Control(List.of(), List.of(), List.of(), List.of(), List.of(new IWant(List.of(id))))));
            peer.send(Rpc.ofControl(new Control(List.of(new Rpc.IHave(TOPIC, List.of())), List.of(new IWant(List.of(id))),
                    List.of(), List.of())));
            sim.settle();
            assertEquals(servedBefore, victim.router.stats().iwantServed(), "an IDONTWANT-ed message is not sent on IWANT");
            // The second message, wanted, is served.
            WireMessage second = peer.receivedRpcs.stream().flatMap(r -> r.publish().stream())
                    .filter(m -> m.dataLength() == 100).findFirst().orElseThrow();
            peer.send(Rpc.ofControl(new Control(List.of(), List.of(new IWant(List.of(ValidationPipeline.messageId(second)))),
                    List.of(), List.of())));
            sim.settle();
            assertEquals(servedBefore + 1, victim.router.stats().iwantServed(), "a wanted message is");
        }
    }

    private static Set<MessageId> dontWants(Sim.Rogue peer) {
        return peer.receivedRpcs.stream().filter(r -> r.control() != null).flatMap(r -> r.control().idontwant().stream())
                .flatMap(w -> w.messageIds().stream()).collect(Collectors.toSet());
    }
}
