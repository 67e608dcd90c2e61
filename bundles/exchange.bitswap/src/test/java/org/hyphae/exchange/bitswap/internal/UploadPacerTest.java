package org.hyphae.exchange.bitswap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The token bucket on a clock the test moves. */
class UploadPacerTest {

    private static final long MS = 1_000_000L;
    private final UploadPacer pacer = new UploadPacer();

    @Test
    void noLimitNeverWaits() {
        pacer.charge(0, 1 << 30, 0);
        assertEquals(0, pacer.waitNanos(0, 0));
    }

    @Test
    void aBlockLargerThanTheBucketGoesAndItsDebtIsWaitedOff() {
        long rate = 1_000_000; // the bucket holds 100 ms: 100,000 bytes
        assertEquals(0, pacer.waitNanos(rate, 0));
        pacer.charge(rate, 300_000, 0);
        assertEquals(200 * MS, pacer.waitNanos(rate, 0));
        assertEquals(50 * MS, pacer.waitNanos(rate, 150 * MS));
        assertEquals(0, pacer.waitNanos(rate, 200 * MS));
    }

    @Test
    void anIdleNodeBurstsAtMostTheBucket() {
        long rate = 1_000_000;
        pacer.waitNanos(rate, 0);
        pacer.charge(rate, 100_000, 0);
        // Ten seconds idle refill 100 ms of the rate, not ten seconds of it.
        assertEquals(0, pacer.waitNanos(rate, 10_000 * MS));
        pacer.charge(rate, 150_000, 10_000 * MS);
        assertEquals(50 * MS, pacer.waitNanos(rate, 10_000 * MS));
    }

    @Test
    void blocksSentAsSoonAsAllowedAverageTheRate() {
        long rate = 5_000_000;
        long now = 0;
        long sent = 0;
        for (int i = 0; i < 1_000; i++) {
            now += pacer.waitNanos(rate, now);
            assertEquals(0, pacer.waitNanos(rate, now));
            pacer.charge(rate, 262_144, now);
            sent += 262_144;
        }
        // The first bucket (500,000 bytes) came free; the rest took its time at the rate.
        double seconds = now / 1e9;
        double expected = (sent - 262_144 - 500_000) / (double) rate;
        assertTrue(Math.abs(seconds - expected) < 0.001, seconds + " s against " + expected);
    }

    @Test
    void aNewRateAppliesToTheDebtLeft() {
        pacer.waitNanos(1_000_000, 0);
        pacer.charge(1_000_000, 1_100_000, 0); // 1,000,000 bytes of debt
        assertEquals(1_000 * MS, pacer.waitNanos(1_000_000, 0));
        assertEquals(500 * MS, pacer.waitNanos(2_000_000, 0));
        // Off, then on again: a fresh bucket.
        assertEquals(0, pacer.waitNanos(0, 0));
        assertEquals(0, pacer.waitNanos(1_000_000, 0));
    }
}
