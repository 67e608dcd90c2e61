package org.hyphae.discovery.mdns.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** mDNS discovery (PID {@value MdnsDiscovery#PID}); a change reopens the socket. */
@ObjectClassDefinition(name = "Hyphae mDNS discovery", description = "Finding peers on the local network (libp2p mDNS spec)")
public @interface MdnsConfig {

    @AttributeDefinition(description = "Answer and send mDNS queries")
    boolean enabled() default true;

    @AttributeDefinition(description = "Seconds between queries")
    int queryIntervalSeconds() default 10;

    @AttributeDefinition(description = "Interface names to use; empty: every interface that is up with an IPv4 address")
    String[] interfaces() default {};

    @AttributeDefinition(description = "UDP port (5353 is mDNS; another port only for isolated tests)")
    int port() default 5353;

    @AttributeDefinition(description = "Multicast group")
    String group() default "224.0.0.251";

    @AttributeDefinition(description = "Service name")
    String serviceName() default MdnsMessages.SERVICE;

    @AttributeDefinition(description = "Time to live of the records this node announces, in seconds")
    int ttlSeconds() default 120;

    @AttributeDefinition(description = "Most peers remembered; past it the one expiring first is forgotten")
    int maxPeers() default 256;

    @AttributeDefinition(description = "Most addresses taken from one peer's response")
    int maxAddressesPerPeer() default 16;

    @AttributeDefinition(description = "Announce public addresses too (the spec and js-libp2p announce private, loopback and link-local ones only)")
    boolean announcePublic() default false;
}
