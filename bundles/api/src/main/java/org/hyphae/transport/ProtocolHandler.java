package org.hyphae.transport;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Handles inbound streams of one protocol. A whiteboard service: registering one with the service
 * property {@value #PROTOCOL_PROPERTY} (for example {@code /ipfs/ping/1.0.0}) makes the protocol
 * available to peers; unregistering it withdraws it.
 *
 * <p>First draft: the transport issue adds the stream type this handler receives.
 */
@ConsumerType
public interface ProtocolHandler {

    /** Service property with the protocol id(s) this handler serves. */
    String PROTOCOL_PROPERTY = "hyphae.protocol";
}
