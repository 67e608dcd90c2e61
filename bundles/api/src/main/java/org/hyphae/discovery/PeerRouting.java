package org.hyphae.discovery;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

import org.hyphae.identity.PeerId;
import org.osgi.annotation.versioning.ProviderType;

/** Finds where a peer can be reached, given only its id (for example through a DHT). */
@ProviderType
public interface PeerRouting {

    /**
     * Looks a peer up.
     *
     * @param peer the peer wanted
     * @return completes with its addresses, or empty if the lookup ended without finding it; fails
     *     with an {@link java.io.IOException} if no lookup could be made (no peers known)
     */
    CompletionStage<Optional<PeerAddresses>> findPeer(PeerId peer);
}
