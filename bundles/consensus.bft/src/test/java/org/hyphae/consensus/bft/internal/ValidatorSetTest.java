package org.hyphae.consensus.bft.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.hyphae.identity.PeerId;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.Test;

class ValidatorSetTest {

    private final PeerId a = TestIdentity.fromSeedByte(1).peerId();
    private final PeerId b = TestIdentity.fromSeedByte(2).peerId();
    private final PeerId c = TestIdentity.fromSeedByte(3).peerId();
    private final PeerId d = TestIdentity.fromSeedByte(4).peerId();

    @Test
    void proposersRotateInProportionToPower() {
        ValidatorSet s = ValidatorSet.parse(a + ":1," + b + ":2," + c + ":3," + d + ":4");
        Map<PeerId, Integer> count = new HashMap<>();
        for (int h = 0; h < 1000; h++) {
            count.merge(s.proposer(0), 1, Integer::sum);
            s = s.next(List.of());
        }
        assertEquals(100, count.get(a));
        assertEquals(200, count.get(b));
        assertEquals(300, count.get(c));
        assertEquals(400, count.get(d));
    }

    @Test
    void laterRoundsMoveToTheNextProposer() {
        ValidatorSet s = ValidatorSet.parse(a + "," + b + "," + c + "," + d);
        java.util.Set<PeerId> seen = new java.util.HashSet<>();
        for (int r = 0; r < 4; r++) {
            seen.add(s.proposer(r));
        }
        assertEquals(4, seen.size(), "four rounds of equal validators have four proposers");
    }

    @Test
    void quorumIsMoreThanTwoThirds() {
        ValidatorSet s = ValidatorSet.parse(a + "," + b + "," + c + "," + d);
        assertFalse(s.isQuorum(2));
        assertTrue(s.isQuorum(3));
        assertFalse(s.isMoreThanThird(1));
        assertTrue(s.isMoreThanThird(2));
    }

    @Test
    void changesAddRemoveAndNeverEmptyTheSet() {
        ValidatorSet s = ValidatorSet.parse(a + ":1");
        ValidatorSet t = s.next(List.of(new ValidatorChange(b, 5), new ValidatorChange(a, 0)));
        assertEquals(List.of(b), t.peers());
        assertEquals(5, t.totalPower());
        ValidatorSet u = t.next(List.of(new ValidatorChange(b, 0)));
        assertEquals(List.of(b), u.peers(), "removing the last validator is skipped");
        assertEquals(List.of(), t.applicable(List.of(new ValidatorChange(b, 0), new ValidatorChange(c, 0))),
                "neither the last validator's removal nor a non-validator's removal takes effect");
    }

    @Test
    void malformedListsAreRejectedWithTheEntry() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ValidatorSet.parse(a + ":x")).getMessage().contains("not a number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ValidatorSet.parse(a + ":0")).getMessage().contains("power 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ValidatorSet.parse(a + "," + a)).getMessage().contains("twice"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ValidatorSet.parse("")).getMessage().contains("no validators"));
    }
}
