package org.hyphae.discovery.kad.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.hyphae.identity.PeerId;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.Test;

class LocalPenaltiesTest {

    private final AtomicLong clock = new AtomicLong(1_000);

    @Test
    void aRepeatOffenderStaysOutLonger() {
        LocalPenalties p = new LocalPenalties(100, clock::get);
        PeerId peer = TestIdentity.random().peerId();
        assertFalse(p.excluded(peer));
        p.penalize(peer, "garbage");
        assertTrue(p.excluded(peer));
        clock.addAndGet(100);
        assertFalse(p.excluded(peer), "one offence: out for one period");
        p.penalize(peer, "garbage again");
        clock.addAndGet(150);
        assertTrue(p.excluded(peer), "two offences: out for two periods");
        clock.addAndGet(50);
        assertFalse(p.excluded(peer));
        assertEquals(2, p.offences(peer));
    }

    @Test
    void aFloodOfFreshIdsCannotGrowItWithoutBound() {
        LocalPenalties p = new LocalPenalties(1_000_000, clock::get);
        List<PeerId> ids = new ArrayList<>();
        for (int i = 0; i < LocalPenalties.MAX_PEERS + 100; i++) {
            PeerId id = PeerId.fromEd25519PublicKey(java.nio.ByteBuffer.allocate(32).putInt(i).array());
            ids.add(id);
            p.penalize(id, "flood");
        }
        assertFalse(p.excluded(ids.get(0)), "the oldest offenders are forgotten first");
        assertTrue(p.excluded(ids.get(ids.size() - 1)));
    }
}
