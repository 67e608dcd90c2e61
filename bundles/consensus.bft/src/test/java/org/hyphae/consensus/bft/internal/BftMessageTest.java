package org.hyphae.consensus.bft.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.hyphae.ledger.Hash;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.Test;

class BftMessageTest {

    private final TestIdentity v = TestIdentity.fromSeedByte(9);

    private BftMessage.Vote vote(Hash id) {
        byte[] sig = v.sign(BftMessage.Vote.signedBytes("c", BftMessage.PREVOTE, 3, 1, id));
        return new BftMessage.Vote(BftMessage.PREVOTE, 3, 1, id, v.peerId(), sig);
    }

    private static String rejected(byte[] bytes) {
        return assertThrows(IllegalArgumentException.class, () -> BftMessage.decode(bytes)).getMessage();
    }

    @Test
    void messagesRoundTrip() {
        BftMessage.Vote a = vote(Hash.sha256(new byte[] {1}));
        assertEquals(a, BftMessage.decode(a.encode()));
        BftMessage.Proposal p = new BftMessage.Proposal(3, 2, 0, Hash.sha256(new byte[] {1}), Hash.sha256(new byte[] {2}), 2, v.peerId(),
                new byte[64]);
        assertEquals(p, BftMessage.decode(p.encode()));
        BftMessage.Part part = (BftMessage.Part) BftMessage.decode(new BftMessage.Part(3, 2, 1, new byte[] {7, 8}).encode());
        assertTrue(Arrays.equals(new byte[] {7, 8}, part.data()));
        BftMessage.Evidence e = new BftMessage.Evidence(a, vote(Hash.ZERO));
        BftMessage.Evidence back = (BftMessage.Evidence) BftMessage.decode(e.encode());
        assertEquals(e.first(), back.first());
        assertEquals(e.second(), back.second());
    }

    @Test
    void malformedMessagesAreRejectedSayingWhere() {
        byte[] good = vote(Hash.ZERO).encode();
        assertTrue(rejected(Arrays.copyOf(good, good.length - 3)).contains("signature"));
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertTrue(rejected(longer).contains("trailing"));
        byte[] kind = good.clone();
        kind[1] = 99;
        assertTrue(rejected(kind).contains("unknown message kind 99"));
        byte[] version = good.clone();
        version[0] = 2;
        assertTrue(rejected(version).contains("unknown version 2"));
        assertTrue(rejected(new byte[BftMessage.MAX_MESSAGE + 1]).contains("exceeds"));
        BftMessage.Proposal tooMany = new BftMessage.Proposal(3, 2, 0, Hash.ZERO, Hash.ZERO, BftMessage.MAX_PARTS + 1, v.peerId(),
                new byte[64]);
        assertTrue(rejected(tooMany.encode()).contains("parts"));
        BftMessage.Proposal badPol = new BftMessage.Proposal(3, 2, 2, Hash.ZERO, Hash.ZERO, 1, v.peerId(), new byte[64]);
        assertTrue(rejected(badPol.encode()).contains("out of range"));
        BftMessage.Vote a = vote(Hash.ZERO);
        assertTrue(rejected(new BftMessage.Evidence(a, a).encode()).contains("do not conflict"));
    }

    @Test
    void sealsRoundTripAndRejectUnorderedCommits() {
        BftSeal s = new BftSeal(4, List.of(new ValidatorChange(v.peerId(), 3)),
                List.of(new BftSeal.Commit(0, new byte[64]), new BftSeal.Commit(2, new byte[64])));
        BftSeal back = BftSeal.decode(s.encode());
        assertEquals(s, back);
        BftSeal unordered = new BftSeal(4, List.of(), List.of(new BftSeal.Commit(2, new byte[64]), new BftSeal.Commit(2, new byte[64])));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BftSeal.decode(unordered.encode())).getMessage().contains("ascend"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BftSeal.decode(new byte[] {1, 0})).getMessage().contains("round"));
    }
}
