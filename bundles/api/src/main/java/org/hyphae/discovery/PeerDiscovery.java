package org.hyphae.discovery;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A source of peers (bootstrap list, mDNS, DHT, ...). A whiteboard service: installing a bundle
 * that registers one adds the source, and consumers (the DHT, the connection manager, a peer store)
 * read the peers of every source they are bound to.
 */
@ConsumerType
public interface PeerDiscovery {

    /** Service property naming the source, e.g. {@code bootstrap}, {@code mdns}, {@code kad}. */
    String SOURCE_PROPERTY = "discovery.source";

    /**
     * The peers this source knows now, with the addresses it knows them by.
     *
     * @return a snapshot, possibly empty; never null
     */
    List<PeerAddresses> peers();
}
