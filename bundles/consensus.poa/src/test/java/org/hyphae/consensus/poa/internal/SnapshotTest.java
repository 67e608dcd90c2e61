package org.hyphae.consensus.poa.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.hyphae.identity.PeerId;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.Test;

class SnapshotTest {

    private final PeerId a = TestIdentity.fromSeedByte(1).peerId();
    private final PeerId b = TestIdentity.fromSeedByte(2).peerId();
    private final PeerId c = TestIdentity.fromSeedByte(3).peerId();
    private final PeerId d = TestIdentity.fromSeedByte(4).peerId();

    @Test
    void aMajorityOfSignersAddsAndRemoves() {
        Snapshot s = Snapshot.initial(0, List.of(a, b, c));
        Seal.Vote addD = new Seal.Vote(d, true);
        s = s.apply(1, a, Optional.of(addD));
        assertFalse(s.isSigner(d), "one vote of three is not a majority");
        s = s.apply(2, a, Optional.of(addD));
        assertFalse(s.isSigner(d), "a signer's repeated vote counts once");
        s = s.apply(3, b, Optional.of(addD));
        assertTrue(s.isSigner(d));
        assertEquals(4, s.signers().size());
        assertTrue(s.votes().isEmpty());
        // Removing needs 3 of 4.
        Seal.Vote removeC = new Seal.Vote(c, false);
        s = s.apply(4, a, Optional.of(removeC)).apply(5, b, Optional.of(removeC));
        assertTrue(s.isSigner(c));
        s = s.apply(6, d, Optional.of(removeC));
        assertFalse(s.isSigner(c));
        assertEquals(3, s.signers().size());
        assertFalse(s.validVote(new Seal.Vote(a, true)), "adding a signer is no vote");
        assertFalse(s.validVote(new Seal.Vote(c, false)), "removing a non-signer is no vote");
    }

    @Test
    void turnsAndRecentSigners() {
        Snapshot s = Snapshot.initial(0, List.of(c, a, b));
        assertEquals(s.signers().get(1), s.inTurn(4));
        assertEquals(2, s.limit());
        s = s.apply(1, a, Optional.empty());
        assertEquals(Optional.of(1L), s.signedRecently(a, 2));
        assertEquals(Optional.empty(), s.signedRecently(a, 3));
        assertEquals(1, Snapshot.initial(0, List.of(a)).limit());
        assertEquals(Optional.empty(), Snapshot.initial(0, List.of(a)).apply(1, a, Optional.empty()).signedRecently(a, 2));
    }

    @Test
    void sealsRoundTripAndMalformedOnesAreRefused() {
        Seal s = new Seal(Optional.of(new Seal.Vote(d, false)), new byte[64]);
        assertEquals(s, Seal.decode(s.encode()));
        assertThrows(IllegalArgumentException.class, () -> Seal.decode(new byte[] {1, 0, 1}));
        assertThrows(IllegalArgumentException.class, () -> Seal.decode(new byte[] {2}));
        assertThrows(IllegalArgumentException.class, () -> Seal.Vote.parse("promote:" + d));
    }
}
