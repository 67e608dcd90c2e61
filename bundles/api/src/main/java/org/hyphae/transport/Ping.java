package org.hyphae.transport;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

import org.hyphae.identity.PeerId;
import org.osgi.annotation.versioning.ProviderType;

/** The libp2p ping protocol: round-trip time to a connected peer. */
@ProviderType
public interface Ping {

    /** The protocol id. */
    String PROTOCOL = "/ipfs/ping/1.0.0";

    /**
     * Sends one 32-byte ping and waits for the echo.
     *
     * @return the round-trip time; fails if the peer is not connected, does not answer within the
     *     timeout, or echoes other bytes
     */
    CompletionStage<Duration> ping(PeerId peer);
}
