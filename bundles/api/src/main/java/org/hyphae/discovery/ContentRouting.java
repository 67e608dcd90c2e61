package org.hyphae.discovery;

import java.util.List;
import java.util.concurrent.CompletionStage;

import org.hyphae.multiformats.Cid;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Tells the network which peers hold which content, and asks it. Records are keyed by the CID's
 * multihash, so a CIDv0 and a CIDv1 of the same data find the same providers.
 */
@ProviderType
public interface ContentRouting {

    /**
     * Announces that this node provides {@code cid}, and keeps announcing it (records expire) until
     * the node stops.
     *
     * @param cid the content
     * @return completes when the announcement reached the peers closest to the key (or was stored
     *     locally only, if no peer is known); fails with an {@link java.io.IOException} if it could not
     *     be stored
     */
    CompletionStage<Void> provide(Cid cid);

    /**
     * Finds peers that announced {@code cid}.
     *
     * @param cid the content
     * @param max stop once this many are found (at least 1)
     * @return completes with up to {@code max} providers, possibly none; this node is included if it
     *     provides the content itself
     * @throws IllegalArgumentException if {@code max < 1}
     */
    CompletionStage<List<PeerAddresses>> findProviders(Cid cid, int max);
}
