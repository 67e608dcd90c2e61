package org.hyphae.pubsub.gossipsub.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.hyphae.pubsub.gossipsub.internal.Rpc.Control;
import org.hyphae.pubsub.gossipsub.internal.Rpc.Graft;
import org.hyphae.pubsub.gossipsub.internal.Rpc.IHave;
import org.hyphae.pubsub.gossipsub.internal.Rpc.IWant;
import org.hyphae.pubsub.gossipsub.internal.Rpc.Prune;
import org.hyphae.pubsub.gossipsub.internal.Rpc.PxPeer;
import org.hyphae.pubsub.gossipsub.internal.Rpc.SubOpts;
import org.hyphae.pubsub.gossipsub.internal.Rpc.WireMessage;
import org.junit.jupiter.api.Test;

class RpcTest {

    @Test
    void roundTripsEveryField() throws IOException {
        WireMessage m = new WireMessage(new byte[] {1, 2}, new byte[] {3}, new byte[] {0, 0, 0, 0, 0, 0, 0, 9}, "t",
                new byte[] {4, 5}, new byte[] {6});
        Control c = new Control(List.of(new IHave("t", List.of(MessageId.wrap(new byte[] {7})))),
                List.of(new IWant(List.of(MessageId.wrap(new byte[] {8})))), List.of(new Graft("g")),
                List.of(new Prune("p", List.of(new PxPeer(new byte[] {9}, new byte[] {10})), 60), new Prune("q", List.of(), -1)),
                List.of(new IWant(List.of(MessageId.wrap(new byte[] {11}), MessageId.wrap(new byte[] {12})))));
        Rpc rpc = new Rpc(List.of(new SubOpts(true, "a"), new SubOpts(false, "b")), List.of(m), c);
        Rpc back = Rpc.decode(rpc.encode(), Rpc.Limits.DEFAULT);
        assertEquals(rpc.subscriptions(), back.subscriptions());
        WireMessage b = back.publish().get(0);
        assertArrayEquals(m.from(), b.from());
        assertArrayEquals(m.data(), b.data());
        assertArrayEquals(m.seqno(), b.seqno());
        assertEquals("t", b.topic());
        assertArrayEquals(m.signature(), b.signature());
        assertArrayEquals(m.key(), b.key());
        assertEquals(c.ihave(), back.control().ihave());
        assertEquals(c.iwant(), back.control().iwant());
        assertEquals(c.graft(), back.control().graft());
        assertEquals(c.idontwant(), back.control().idontwant(), "IDONTWANT (v1.2, control field 5)");
        assertEquals(60, back.control().prune().get(0).backoffSeconds());
        assertArrayEquals(new byte[] {10}, back.control().prune().get(0).peers().get(0).signedPeerRecord());
        assertEquals(-1, back.control().prune().get(1).backoffSeconds());
    }

    @Test
    void signedBytesAreFieldsOneToFourInOrder() {
        WireMessage m = new WireMessage(new byte[] {1}, new byte[] {2}, new byte[] {3}, "t", new byte[] {4}, new byte[] {5});
        // from(1) data(2) seqno(3) topic(4), nothing of signature and key: what go and js sign.
        assertEquals("0a01011201021a0103220174", HexFormat.of().formatHex(m.unsignedBytes()));
    }

    @Test
    void skipsUnknownFieldsSuchAsIDontWant() throws IOException {
        // control { idontwant(5) { id } graft(3) { topic "x" } }
        byte[] control = HexFormat.of().parseHex("2a030a01ff" + "1a030a0178");
        byte[] rpc = new byte[2 + control.length];
        rpc[0] = 0x1a;
        rpc[1] = (byte) control.length;
        System.arraycopy(control, 0, rpc, 2, control.length);
        Rpc back = Rpc.decode(rpc, Rpc.Limits.DEFAULT);
        assertEquals(List.of(new Graft("x")), back.control().graft());
        assertNull(Rpc.decode(new byte[0], Rpc.Limits.DEFAULT).control());
    }

    @Test
    void enforcesLimitsWhileParsing() {
        List<MessageId> ids = new ArrayList<>();
        for (int i = 0; i < 5001; i++) {
            ids.add(MessageId.wrap(new byte[] {(byte) i, (byte) (i >> 8)}));
        }
        byte[] tooMany = Rpc.ofControl(new Control(List.of(), List.of(new IWant(ids)), List.of(), List.of())).encode();
        assertThrows(IOException.class, () -> Rpc.decode(tooMany, Rpc.Limits.DEFAULT));
        assertThrows(IOException.class, () -> Rpc.decode(new byte[] {0x12, 0x05, 0x01}, Rpc.Limits.DEFAULT));
        assertThrows(IOException.class, () -> Rpc.decode(new byte[] {0x0b}, Rpc.Limits.DEFAULT)); // group tag
    }
}
