package org.hyphae.host.internal.identify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.hyphae.transport.streamio.AsyncLoop;
import org.hyphae.transport.streamio.LengthPrefixed;
import org.hyphae.transport.streamio.MalformedMessageException;
import org.hyphae.transport.testkit.MemoryConnection;
import org.hyphae.transport.testkit.MemoryNetwork;
import org.hyphae.transport.testkit.MemoryNode;
import org.hyphae.transport.testkit.MemoryStream;
import org.hyphae.transport.streamio.MessageTooLargeException;
import org.hyphae.transport.testkit.TestIdentity;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.PeerInfo;
import org.hyphae.transport.ProtocolNotSupportedException;
import org.hyphae.transport.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IdentifyProtocolTest {

    private final MemoryNetwork network = new MemoryNetwork();
    private final MemoryNode a = network.node();
    private final MemoryNode b = network.node();
    private final List<PeerInfo> pushedToA = new CopyOnWriteArrayList<>();
    private final List<PeerInfo> pushedToB = new CopyOnWriteArrayList<>();
    private final IdentifyProtocol idA = mount(a, pushedToA);
    private final IdentifyProtocol idB = mount(b, pushedToB);

    @AfterEach
    void close() {
        assertEquals(List.of(), network.violations());
        network.close();
    }

    private IdentifyProtocol mount(MemoryNode node, List<PeerInfo> pushes) {
        IdentifyProtocol id = new IdentifyProtocol(node.identity(), node, "hyphae/test", Duration.ofSeconds(5), pushes::add);
        node.handle(IdentifyProtocol.PROTOCOL, id::respond);
        node.handle(IdentifyProtocol.PUSH_PROTOCOL, id::handlePush);
        return id;
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    static Throwable failure(CompletionStage<?> stage) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> stage.toCompletableFuture().get(5, TimeUnit.SECONDS));
        return AsyncLoop.unwrap(e);
    }

    /** Serves identify on {@code b} with a handler that writes these raw bytes and closes. */
    private void bSends(byte[] raw) {
        b.handle(IdentifyProtocol.PROTOCOL, s -> s.write(ByteBuffer.wrap(raw)).thenCompose(v -> s.closeWrite()));
    }

    @Test
    void requestReturnsWhatThePeerSaysAndClosesTheStream() throws Exception {
        b.addListenAddress(Multiaddr.parse("/ip6/::1/tcp/4001/ws/p2p/" + b.localPeer()));
        b.handle("/ipfs/ping/1.0.0", s -> s.reset());
        MemoryConnection c = network.connect(a, b);
        PeerInfo info = await(idA.request(c));
        assertEquals(b.localPeer(), info.peer());
        assertEquals("hyphae/test", info.agentVersion());
        assertEquals("ipfs/0.1.0", info.protocolVersion());
        assertEquals(List.of(b.listenAddresses().get(0), Multiaddr.parse("/ip6/::1/tcp/4001/ws")), info.listenAddresses(),
                "addresses are sent without /p2p");
        assertEquals(Set.of(IdentifyProtocol.PROTOCOL, IdentifyProtocol.PUSH_PROTOCOL, "/ipfs/ping/1.0.0"), info.protocols());
        assertEquals(Optional.of(c.localAddress()), info.observedAddress(), "b saw a's address");
        network.settle();
        assertEquals(List.of(), c.streams());
        assertEquals(List.of(), c.peer().streams());
    }

    @Test
    void keyOfAnotherPeerIsRejectedNamingBoth() throws Exception {
        TestIdentity mallory = TestIdentity.random();
        IdentifyProtocol liar = new IdentifyProtocol(mallory, b, "liar/1", Duration.ofSeconds(5), p -> { });
        b.handle(IdentifyProtocol.PROTOCOL, liar::respond);
        MemoryConnection c = network.connect(a, b);
        Throwable t = failure(idA.request(c));
        assertInstanceOf(IdentifyException.class, t);
        assertTrue(t.getMessage().contains(b.localPeer().toString()) && t.getMessage().contains(mallory.peerId().toString()),
                t.getMessage());
    }

    @Test
    void messageWithoutKeyIsRejected() throws Exception {
        bSends(LengthPrefixed.frame(new IdentifyMessage("ipfs/0.1.0", "x", null, List.of(), null, List.of(), null)
                .encode()).array());
        Throwable t = failure(idA.request(network.connect(a, b)));
        assertInstanceOf(IdentifyException.class, t);
        assertTrue(t.getMessage().contains("no public key"), t.getMessage());
    }

    @Test
    void ourOwnKeyIsRejected() throws Exception {
        IdentifyProtocol mirror = new IdentifyProtocol(a.identity(), b, "x", Duration.ofSeconds(5), p -> { });
        b.handle(IdentifyProtocol.PROTOCOL, mirror::respond);
        Throwable t = failure(idA.request(network.connect(a, b)));
        assertInstanceOf(IdentifyException.class, t);
    }

    @Test
    void oversizedMessageIsRejected() throws Exception {
        bSends(LengthPrefixed.frame(new byte[IdentifyProtocol.MAX_MESSAGE_SIZE + 1]).array());
        MemoryConnection c = network.connect(a, b);
        Throwable t = failure(idA.request(c));
        assertInstanceOf(MessageTooLargeException.class, t);
        assertTrue(t.getMessage().contains("8193") && t.getMessage().contains(b.localPeer().toString()), t.getMessage());
    }

    @Test
    void malformedProtobufIsRejected() throws Exception {
        bSends(LengthPrefixed.frame(new byte[] {0x0A, 0x05, 1, 2}).array());
        Throwable t = failure(idA.request(network.connect(a, b)));
        assertInstanceOf(MalformedMessageException.class, t);
        assertTrue(t.getMessage().contains("malformed Identify protobuf") && t.getMessage().contains(b.localPeer().toString()),
                t.getMessage());
    }

    @Test
    void truncatedFrameIsRejected() throws Exception {
        bSends(new byte[] {50, 1, 2, 3});
        assertInstanceOf(EOFException.class, failure(idA.request(network.connect(a, b))));
    }

    @Test
    void noMessageIsRejected() throws Exception {
        bSends(new byte[0]);
        Throwable t = failure(idA.request(network.connect(a, b)));
        assertInstanceOf(EOFException.class, t);
        assertTrue(t.getMessage().contains("without an identify message"), t.getMessage());
    }

    @Test
    void moreThanTenMessagesAreRejected() throws Exception {
        byte[] one = new IdentifyMessage(null, null, null, List.of(), null, List.of("/x"), null).encode();
        bSends(LengthPrefixed.frame(java.util.Collections.nCopies(11, one)).array());
        assertInstanceOf(MalformedMessageException.class, failure(idA.request(network.connect(a, b))));
    }

    @Test
    void unparseableListenAddressesAreSkipped() throws Exception {
        IdentifyMessage m = new IdentifyMessage("ipfs/0.1.0", "x", b.identity().publicKeyProtobuf(),
                List.of(new byte[] {(byte) 0xFF, 0x7F}, Multiaddr.parse("/ip4/1.2.3.4/tcp/5").bytes()), null, List.of(), null);
        bSends(LengthPrefixed.frame(m.encode()).array());
        assertEquals(List.of(Multiaddr.parse("/ip4/1.2.3.4/tcp/5")), await(idA.request(network.connect(a, b))).listenAddresses());
    }

    @Test
    void silentPeerTimesOutAndTheStreamIsReset() throws Exception {
        CompletableFuture<Stream> inbound = new CompletableFuture<>();
        b.handle(IdentifyProtocol.PROTOCOL, inbound::complete);
        IdentifyProtocol impatient = new IdentifyProtocol(a.identity(), a, "x", Duration.ofMillis(200), p -> { });
        Throwable t = failure(impatient.request(network.connect(a, b)));
        assertInstanceOf(TimeoutException.class, t);
        assertTrue(t.getMessage().contains("identify request to " + b.localPeer()), t.getMessage());
        network.settle();
        assertTrue(((MemoryStream) inbound.get()).isReset());
    }

    @Test
    void manyProtocolsAreSentSplitAndMergedBack() throws Exception {
        for (int i = 0; i < 600; i++) {
            b.handle("/hyphae/test/protocol-" + i + "/1.0.0", s -> s.reset());
        }
        PeerInfo info = await(idA.request(network.connect(a, b)));
        assertEquals(602, info.protocols().size());
    }

    @Test
    void responderResetsAPeerThatSendsOnTheIdentifyStream() throws Exception {
        MemoryConnection c = network.connect(a, b);
        Stream s = await(c.newStream(List.of(IdentifyProtocol.PROTOCOL)));
        await(s.write(ByteBuffer.wrap(new byte[] {1, 2, 3})));
        // The reset may come before or after we read the response; either way it comes.
        await(s.closed());
        assertTrue(((MemoryStream) s).isReset());
    }

    @Test
    void pushDeliversTheUpdateToTheListener() throws Exception {
        MemoryConnection c = network.connect(a, b);
        b.putPeerInfo(new PeerInfo(a.localPeer(), "old-agent", "ipfs/0.1.0", List.of(), Set.of("/old"),
                Optional.of(Multiaddr.parse("/ip4/9.9.9.9/tcp/1"))));
        a.handle("/new/1.0.0", s -> s.reset());
        await(idA.push(c));
        network.settle();
        assertEquals(1, pushedToB.size());
        PeerInfo info = pushedToB.get(0);
        assertEquals(a.localPeer(), info.peer());
        assertEquals("hyphae/test", info.agentVersion());
        assertTrue(info.protocols().contains("/new/1.0.0") && !info.protocols().contains("/old"));
        assertEquals(a.listenAddresses(), info.listenAddresses());
        assertEquals(Optional.of(Multiaddr.parse("/ip4/9.9.9.9/tcp/1")), info.observedAddress(),
                "a push carries no observed address: the known one stays");
        assertEquals(List.of(), c.streams());
    }

    @Test
    void partialPushKeepsTheFieldsItLeavesOut() {
        PeerInfo known = new PeerInfo(a.localPeer(), "agent/1", "ipfs/0.1.0", List.of(Multiaddr.parse("/ip4/1.1.1.1/tcp/1")),
                Set.of("/a"), Optional.empty());
        PeerInfo updated = IdentifyProtocol.update(known, a.localPeer(),
                new IdentifyMessage(null, null, null, List.of(), null, List.of("/b"), null));
        assertEquals("agent/1", updated.agentVersion());
        assertEquals(known.listenAddresses(), updated.listenAddresses());
        assertEquals(Set.of("/b"), updated.protocols());
    }

    @Test
    void pushWithAnotherPeersKeyIsDropped() throws Exception {
        MemoryConnection c = network.connect(a, b);
        Stream s = await(c.newStream(List.of(IdentifyProtocol.PUSH_PROTOCOL)));
        byte[] m = new IdentifyMessage(null, null, TestIdentity.random().publicKeyProtobuf(), List.of(), null,
                List.of("/evil"), null).encode();
        await(s.write(LengthPrefixed.frame(m)));
        await(s.closeWrite());
        assertTrue(failure(s.read()).getMessage().contains("reset"));
        network.settle();
        assertEquals(List.of(), pushedToB);
    }

    @Test
    void pushToAPeerWithoutPushFails() throws Exception {
        b.unhandle(IdentifyProtocol.PUSH_PROTOCOL);
        assertInstanceOf(ProtocolNotSupportedException.class, failure(idA.push(network.connect(a, b))));
    }

    @Test
    void pushToAllTellsOnlyPeersThatSpeakPush() throws Exception {
        MemoryNode c = network.node();
        List<PeerInfo> pushedToC = new CopyOnWriteArrayList<>();
        mount(c, pushedToC);
        network.connect(a, b);
        network.connect(a, c);
        a.putPeerInfo(new PeerInfo(b.localPeer(), "", "", List.of(), Set.of(IdentifyProtocol.PUSH_PROTOCOL), Optional.empty()));
        a.putPeerInfo(new PeerInfo(c.localPeer(), "", "", List.of(), Set.of(IdentifyProtocol.PROTOCOL), Optional.empty()));
        await(idA.pushToAll());
        network.settle();
        assertEquals(1, pushedToB.size());
        assertEquals(List.of(), pushedToC);
    }

    @Test
    void twoPeersIdentifyEachOtherBothWays() throws Exception {
        MemoryConnection c = network.connect(a, b);
        assertEquals(a.localPeer(), await(idB.request(c.peer())).peer());
        assertEquals(b.localPeer(), await(idA.request(c)).peer());
    }
}
