package org.hyphae.pubsub.gossipsub.internal;

/**
 * What the router counted, for tests, the shell and benchmarks. The router thread writes; any
 * thread may read a slightly stale value.
 */
final class RouterCounters {

    volatile long delivered;
    volatile long published;
    volatile long duplicates;
    volatile long invalid;
    volatile long ignored;
    volatile long graylistedRpcs;
    volatile long ihaveIgnored;
    volatile long brokenPromises;
    volatile long graftsInBackoff;
    volatile long replays;
    volatile long droppedOutbound;
    volatile long malformedRpcs;
    volatile long forwarded;
    volatile long iwantServed;
    volatile long iwantAsked;
    volatile long dontWantSent;
    volatile long dontWantSkipped;

    GossipRouter.Stats snapshot() {
        return new GossipRouter.Stats(delivered, published, duplicates, invalid, ignored, graylistedRpcs, ihaveIgnored,
                brokenPromises, graftsInBackoff, replays, droppedOutbound, malformedRpcs, forwarded, iwantServed,
                iwantAsked, dontWantSent, dontWantSkipped);
    }
}
