package org.hyphae.discovery.kad.internal.service;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Settings of the Kademlia DHT (PID {@value KadService#PID}). */
// The component also follows the storage selection PID, so the Designate comes from here.
@ObjectClassDefinition(pid = KadService.PID, name = "Hyphae Kademlia DHT", description = "libp2p kad-dht (/ipfs/kad/1.0.0)")
public @interface KadConfig {

    @AttributeDefinition(description = "Client mode: query the DHT but do not serve /ipfs/kad/1.0.0 (for nodes that peers cannot dial)")
    boolean clientMode() default false;

    @AttributeDefinition(description = "Bucket size k (the spec's 20)")
    int k() default 20;

    @AttributeDefinition(description = "Lookup concurrency alpha (the spec's 3)")
    int alpha() default 3;

    @AttributeDefinition(description = "Timeout of one query in milliseconds")
    long queryTimeoutMs() default 10_000;

    @AttributeDefinition(description = "Records a get collects from distinct peers before it stops early and picks the best (the local copy counts as one; 1: the local copy is enough)")
    int quorum() default 16;

    @AttributeDefinition(description = "Routing table refresh interval in minutes: a lookup of this node's own id, and of a random key in each bucket no lookup touched for that long")
    long refreshMinutes() default 10;

    @AttributeDefinition(description = "Bootstrap peers: multiaddrs ending in /p2p/<peer id>, contacted at start")
    String[] bootstrap() default {};
}
