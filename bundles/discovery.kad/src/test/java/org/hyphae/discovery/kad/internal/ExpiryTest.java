package org.hyphae.discovery.kad.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.hyphae.multiformats.Multihash;
import org.junit.jupiter.api.Test;

/** Provider records: 48 h expiry, republished by the provider every 22 h (kad-dht spec). */
class ExpiryTest {

    @Test
    void providersExpireAfter48HoursUnlessRepublished() throws Exception {
        AtomicLong now = new AtomicLong(1_800_000_000_000L);
        try (KadSim sim = new KadSim(now::get)) {
            sim.grow(6);
            byte[] mh = Multihash.sha2_256("expiring".getBytes(StandardCharsets.UTF_8)).bytes();
            KadDht provider = sim.dhts.get(0);
            provider.provide(mh).toCompletableFuture().get(30, TimeUnit.SECONDS);
            KadDht holder = sim.dhts.get(3);
            // ADD_PROVIDER has no answer: provide() completes once it is sent, the holder stores it a moment later.
            long wait = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (holder.store().providers(mh, now.get()).isEmpty() && System.nanoTime() < wait) {
                Thread.sleep(10);
            }
            assertEquals(now.get() + KadDht.PROVIDER_TTL_MS, holder.store().providers(mh, now.get()).get(0).expiresAt());

            // 21 h later nothing is due; at 22 h the provider announces again and the record is renewed.
            now.addAndGet(TimeUnit.HOURS.toMillis(21));
            provider.republish();
            sim.net.settle();
            assertEquals(now.get() - TimeUnit.HOURS.toMillis(21) + KadDht.PROVIDER_TTL_MS,
                    holder.store().providers(mh, now.get()).get(0).expiresAt());
            now.addAndGet(TimeUnit.HOURS.toMillis(1));
            provider.republish();
            long renewed = now.get() + KadDht.PROVIDER_TTL_MS;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (holder.store().providers(mh, now.get()).get(0).expiresAt() != renewed && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(renewed, holder.store().providers(mh, now.get()).get(0).expiresAt());

            // A holder that hears nothing more drops the record 48 h after the last announcement.
            now.set(renewed - 1);
            assertEquals(1, holder.store().providers(mh, now.get()).size());
            now.set(renewed);
            assertEquals(List.of(), holder.store().providers(mh, now.get()));
            holder.store().expire(now.get());
            assertEquals(0, holder.store().providerKeyCount());
            assertTrue(holder.store().providers(mh, 0).isEmpty());
        }
    }
}
