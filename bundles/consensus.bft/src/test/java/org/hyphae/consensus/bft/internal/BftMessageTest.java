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
        BftMessage.Proposal one = new BftMessage.Proposal(3, 2, 0, Hash.ZERO, Hash.ZERO, 1, v.peerId(), new byte[64]);
        assertTrue(rejected(new BftMessage.ProposalEvidence(one, one).encode()).contains("do not conflict"));
        byte[] notProposals = new WireWriter().u8(BftMessage.VERSION).u8(BftMessage.KIND_PROPOSAL_EVIDENCE).bytes(a.encode())
                .bytes(a.encode()).toByteArray();
        assertTrue(rejected(notProposals).contains("not a proposal"));
    }

    @Test
    void conflictingProposalsAreEvidenceInEitherOrder() {
        BftMessage.Proposal p1 = new BftMessage.Proposal(3, 2, -1, Hash.sha256(new byte[] {1}), Hash.sha256(new byte[] {2}), 1, v.peerId(),
                new byte[64]);
        byte[] sig = new byte[64];
        sig[0] = 1;
        BftMessage.Proposal p2 = new BftMessage.Proposal(3, 2, -1, Hash.sha256(new byte[] {3}), Hash.sha256(new byte[] {4}), 1, v.peerId(), sig);
        assertTrue(BftMessage.ProposalEvidence.conflict(p1, p2));
        BftMessage.Proposal otherRound = new BftMessage.Proposal(3, 3, -1, p2.blockId(), p2.partsHash(), 1, v.peerId(), sig);
        assertTrue(!BftMessage.ProposalEvidence.conflict(p1, otherRound), "another round is no conflict");
        BftMessage.ProposalEvidence e = new BftMessage.ProposalEvidence(p2, p1);
        BftMessage.ProposalEvidence back = (BftMessage.ProposalEvidence) BftMessage.decode(e.encode());
        assertEquals(p2, back.first());
        assertEquals(p1, back.second());
        assertEquals(e.canonical(), new BftMessage.ProposalEvidence(p1, p2).canonical());
        assertEquals(v.peerId(), e.offender());
        assertEquals(BftMessage.PROPOSAL, e.type());
        assertTrue(e.toString().contains("two proposals at #3/2"), e.toString());
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
