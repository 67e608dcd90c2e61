package org.hyphae.host.internal.swarm;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Listen addresses and resource limits of the swarm; every value can change at runtime. */
@ObjectClassDefinition(name = "Hyphae host", description = "Listen addresses and connection limits.")
public @interface HostConfig {

    @AttributeDefinition(name = "Listen addresses", description = "Multiaddrs to listen on. Empty: "
            + "/ip4/<hyphae.listen.host>/tcp/<hyphae.port> and the same host on the next port with /ws.")
    String[] listen() default {};

    @AttributeDefinition(name = "High watermark", description = "Above this many connections the "
            + "connection manager trims down to the low watermark.")
    int high_watermark() default 192;

    @AttributeDefinition(name = "Low watermark")
    int low_watermark() default 128;

    @AttributeDefinition(name = "Maximum inbound connections")
    int max_inbound() default 256;

    @AttributeDefinition(name = "Maximum outbound connections")
    int max_outbound() default 256;

    @AttributeDefinition(name = "Maximum connections per peer")
    int max_connections_per_peer() default 2;

    @AttributeDefinition(name = "Maximum pending dials")
    int max_pending_dials() default 64;

    @AttributeDefinition(name = "Maximum streams per connection", description = "Inbound and outbound together.")
    int max_streams_per_connection() default 512;

    @AttributeDefinition(name = "Handshake timeout (ms)", description = "Security and muxer negotiation.")
    int handshake_timeout_millis() default 10_000;

    @AttributeDefinition(name = "Idle timeout (s)", description = "A connection without streams for this long is closed; 0 never.")
    int idle_timeout_seconds() default 120;
}
