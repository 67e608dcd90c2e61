package org.hyphae.transport;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Handles inbound streams of one or more protocols. A whiteboard service: registering one with the
 * service property {@value #PROTOCOL_PROPERTY} (a string or string array, for example
 * {@code /ipfs/ping/1.0.0}) makes the protocols available to peers, and the host tells connected
 * peers (identify push); unregistering it withdraws them.
 */
@ConsumerType
public interface ProtocolHandler {

    /** Service property with the protocol id(s) this handler serves. */
    String PROTOCOL_PROPERTY = "hyphae.protocol";

    /**
     * Takes an inbound stream whose protocol was negotiated. Called on an I/O thread: do not block;
     * hand blocking work to an executor. The handler owns the stream and must close or reset it.
     */
    void handle(Stream stream);
}
