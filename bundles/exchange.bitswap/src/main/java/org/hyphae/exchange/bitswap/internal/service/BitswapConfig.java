package org.hyphae.exchange.bitswap.internal.service;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Settings of Bitswap (PID {@value BitswapService#PID}). */
@ObjectClassDefinition(pid = BitswapService.PID, name = "Hyphae Bitswap",
        description = "Bitswap 1.2.0 / 1.1.0 / 1.0.0 block exchange")
public @interface BitswapConfig {

    @AttributeDefinition(description = "Largest inbound message in bytes (4 MiB, as Helia and boxo)")
    int maxMessageBytes() default 4 << 20;

    @AttributeDefinition(description = "Block bytes per outbound message (a larger single block goes alone)")
    int maxOutMessageBytes() default 2 << 20;

    @AttributeDefinition(description = "Entries a peer's want list may hold here, and per message")
    int maxWantlistEntries() default 1024;

    @AttributeDefinition(description = "Serving: block bytes queued and not yet written, all peers together")
    long maxBytesInFlight() default 64L << 20;

    @AttributeDefinition(description = "Serving: block bytes queued and not yet written, per peer")
    long maxBytesInFlightPerPeer() default 8L << 20;

    @AttributeDefinition(description = "Fetching: want-blocks a session keeps outstanding at one peer")
    int maxWantsPerPeer() default 32;

    @AttributeDefinition(description = "Fetching: a peer owing blocks that delivers none for this long (ms) is slow; its wants go elsewhere")
    long stallMillis() default 5_000;

    @AttributeDefinition(description = "Fetching: a block no peer delivered for this long (ms) fails")
    long wantTimeoutMillis() default 60_000;

    @AttributeDefinition(description = "Fetching: least time (ms) between two provider searches of a session")
    long providerSearchMillis() default 5_000;

    @AttributeDefinition(description = "Outbound streams idle this long (ms) are closed (Helia drops them after 10 s)")
    long idleStreamMillis() default 5_000;

    @AttributeDefinition(description = "A peer whose score falls to minus this is ignored for banMinutes")
    int banThreshold() default 30;

    @AttributeDefinition(description = "How long a misbehaving peer is ignored, in minutes")
    long banMinutes() default 10;

    @AttributeDefinition(description = "Serving: block bytes sent per second, all peers together (an upload limit); 0 for none")
    long maxSendBytesPerSecond() default 0;

    @AttributeDefinition(description = "Threads for message handling and block store I/O")
    int threads() default 4;
}
