package org.hyphae.discovery.peerstore.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Bounds and timings of the peer store (PID {@value PeerStoreService#PID}); all apply at runtime. */
@ObjectClassDefinition(name = "Hyphae peer store",
        description = "Known peers: bounds, address time to live, score decay, how often sources are read")
public @interface PeerStoreConfig {

    @AttributeDefinition(description = "Most peers kept; past it the stalest, worst-scored peer that is not connected is evicted")
    int maxPeers() default 1000;

    @AttributeDefinition(description = "Most addresses kept per peer; past it second-hand and stale addresses go first")
    int maxAddressesPerPeer() default 16;

    @AttributeDefinition(description = "Most peers taken from one discovery source per reading, so one source cannot fill the store")
    int maxPeersPerSource() default 500;

    @AttributeDefinition(description = "Most protocols kept per peer")
    int maxProtocols() default 128;

    @AttributeDefinition(description = "Seconds an address is kept after a source last reported it")
    int addressTtlSeconds() default 3600;

    @AttributeDefinition(description = "Minutes in which a penalty halves")
    int scoreHalfLifeMinutes() default 10;

    @AttributeDefinition(description = "Seconds between readings of the discovery sources and the host's connections (and writes to the datastore)")
    int pollSeconds() default 5;

    @AttributeDefinition(description = "Seconds between pings of connected peers for their latency; 0 never")
    int pingSeconds() default 60;
}
