package org.hyphae.discovery.mdns.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.hyphae.identity.PeerId;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;

/** The spec's messages, js-libp2p's variant of them, and responses that lie or flood. */
class MdnsMessagesTest {

    private static final Name SERVICE = MdnsMessages.name(MdnsMessages.SERVICE);
    private final PeerId peer = TestIdentity.random().peerId();

    private static Message parse(byte[] wire) throws IOException {
        return MdnsMessages.parse(wire, wire.length);
    }

    @Test
    void peerNamesFollowTheSpec() {
        SecureRandom r = new SecureRandom();
        for (int i = 0; i < 200; i++) {
            String name = MdnsMessages.randomPeerName(r);
            assertTrue(name.length() >= 32 && name.length() <= 63, name);
            assertTrue(name.matches("[a-z0-9]+"), name);
        }
    }

    @Test
    void aQueryAsksForThePtrOfTheService() throws Exception {
        Message q = parse(MdnsMessages.query(SERVICE));
        assertFalse(q.getHeader().getFlag(Flags.QR));
        assertTrue(MdnsMessages.asksFor(q, SERVICE));
        assertFalse(MdnsMessages.asksFor(q, MdnsMessages.name("_other._udp.local")));
        assertTrue(MdnsMessages.peersIn(q, SERVICE, "me", 16).isEmpty(), "a query announces nobody");
    }

    @Test
    void aResponseRoundTrips() throws Exception {
        List<Multiaddr> addrs = List.of(Multiaddr.parse("/ip4/192.168.1.5/tcp/4001/p2p/" + peer),
                Multiaddr.parse("/ip4/192.168.1.5/tcp/4002/ws/p2p/" + peer));
        Message m = parse(MdnsMessages.response(SERVICE, "abc", addrs, 120, 1400));
        assertTrue(m.getHeader().getFlag(Flags.QR));
        // The spec: PTR in the answers, TXT in the additional records.
        assertEquals(1, m.getSection(Section.ANSWER).size());
        assertEquals(2, m.getSection(Section.ADDITIONAL).size());
        List<MdnsMessages.Found> found = MdnsMessages.peersIn(m, SERVICE, "me", 16);
        assertEquals(1, found.size());
        assertEquals(peer, found.get(0).peer());
        assertEquals(List.of(Multiaddr.parse("/ip4/192.168.1.5/tcp/4001"), Multiaddr.parse("/ip4/192.168.1.5/tcp/4002/ws")),
                found.get(0).addresses());
        assertEquals(120, found.get(0).ttlSeconds());
        assertTrue(MdnsMessages.peersIn(m, SERVICE, "abc", 16).isEmpty(), "its own echo is skipped");
    }

    @Test
    void readsJsLibp2pResponsesWithTxtInTheAnswers() throws Exception {
        // What @libp2p/mdns 12 sends (query.js gotQuery): every record in the answers section.
        Name instance = MdnsMessages.name("x".repeat(63) + "." + MdnsMessages.SERVICE);
        Message m = new Message(0);
        m.getHeader().setFlag(Flags.QR);
        m.addRecord(new PTRRecord(SERVICE, DClass.IN, 120, instance), Section.ANSWER);
        m.addRecord(new TXTRecord(instance, DClass.IN, 120, "dnsaddr=/ip4/127.0.0.1/tcp/41234/p2p/" + peer), Section.ANSWER);
        MdnsMessages.Found f = MdnsMessages.peersIn(parse(m.toWire()), SERVICE, "me", 16).get(0);
        assertEquals(peer, f.peer());
        assertEquals(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/41234")), f.addresses());
    }

    @Test
    void liesAndFloodsAreDroppedAndSaid() throws Exception {
        Name instance = MdnsMessages.name("liar." + MdnsMessages.SERVICE);
        Message m = new Message(0);
        m.getHeader().setFlag(Flags.QR);
        m.addRecord(new PTRRecord(SERVICE, DClass.IN, 120, instance), Section.ANSWER);
        PeerId other = TestIdentity.random().peerId();
        List<String> txts = new ArrayList<>();
        txts.add("dnsaddr=/ip4/10.0.0.1/tcp/1/p2p/" + peer);
        txts.add("dnsaddr=/ip4/10.0.0.2/tcp/1/p2p/" + other);
        txts.add("dnsaddr=not a multiaddr");
        txts.add("dnsaddr=/ip4/10.0.0.3/tcp/1");
        txts.add("unrelated=1");
        for (int i = 0; i < 500; i++) {
            txts.add("dnsaddr=/ip4/10.1." + (i / 200) + "." + (i % 200) + "/tcp/1/p2p/" + peer);
        }
        for (String t : txts) {
            m.addRecord(new TXTRecord(instance, DClass.IN, 120, t), Section.ADDITIONAL);
        }
        MdnsMessages.Found f = MdnsMessages.peersIn(parse(m.toWire()), SERVICE, "me", 16).get(0);
        assertEquals(peer, f.peer());
        assertEquals(16, f.addresses().size());
        String problems = String.join("\n", f.problems());
        assertTrue(problems.contains("names another peer"), problems);
        assertTrue(problems.contains("does not parse"), problems);
        assertTrue(problems.contains("has no /p2p"), problems);
        assertTrue(problems.contains("485 addresses over the limit of 16"), problems);

        Message empty = new Message(0);
        empty.getHeader().setFlag(Flags.QR);
        empty.addRecord(new PTRRecord(SERVICE, DClass.IN, 120, instance), Section.ANSWER);
        MdnsMessages.Found none = MdnsMessages.peersIn(parse(empty.toWire()), SERVICE, "me", 16).get(0);
        assertNull(none.peer());
        assertEquals(List.of("no dnsaddr= TXT record"), none.problems());
    }

    @Test
    void garbageDoesNotParse() {
        assertThrows(IOException.class, () -> MdnsMessages.parse(new byte[] {1, 2, 3}, 3));
        byte[] lying = HexFormat.of().parseHex("0000840000010000000000000570327005");
        assertThrows(IOException.class, () -> MdnsMessages.parse(lying, lying.length));
    }

    @Test
    void responsesStayUnderTheSizeAndTxtLimits() throws Exception {
        List<Multiaddr> many = new ArrayList<>();
        for (int i = 1; i < 200; i++) {
            many.add(Multiaddr.parse("/ip4/192.168.1." + i + "/tcp/4001/p2p/" + peer));
        }
        byte[] wire = MdnsMessages.response(SERVICE, "abc", many, 120, 1400);
        assertTrue(wire.length <= 1400, wire.length + " bytes");
        Multiaddr tooLong = Multiaddr.parse("/dns4/" + "a".repeat(250) + "/tcp/1/p2p/" + peer);
        Message m = parse(MdnsMessages.response(SERVICE, "abc", List.of(tooLong), 120, 1400));
        assertEquals(0, m.getSection(Section.ADDITIONAL).size(), "a TXT string holds at most 255 bytes");
    }
}
