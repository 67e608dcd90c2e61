package org.hyphae.discovery;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A source of peers (bootstrap list, mDNS, DHT, ...) that feeds the peer store. A whiteboard
 * service: installing a bundle that registers one adds the source.
 *
 * <p>First draft: the discovery issue adds how found peers are reported.
 */
@ConsumerType
public interface PeerDiscovery {

    /** Service property naming the source, e.g. {@code bootstrap}, {@code mdns}, {@code kad}. */
    String SOURCE_PROPERTY = "discovery.source";
}
