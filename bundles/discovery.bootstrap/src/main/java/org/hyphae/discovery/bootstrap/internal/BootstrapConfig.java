package org.hyphae.discovery.bootstrap.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The bootstrap list (PID {@value BootstrapDiscovery#PID}). */
@ObjectClassDefinition(name = "Hyphae bootstrap peers", description = "Peers to stay connected to, and to offer to the DHT")
public @interface BootstrapConfig {

    @AttributeDefinition(description = "Multiaddrs ending in /p2p/<peer id>")
    String[] peers() default {};

    @AttributeDefinition(description = "Seconds between checks that each bootstrap peer is connected (0: connect once)")
    int reconnectSeconds() default 60;
}
