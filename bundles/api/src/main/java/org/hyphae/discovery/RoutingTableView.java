package org.hyphae.discovery;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A read-only look at a DHT's routing table, for dashboards and tools: its k-buckets and the peers
 * in each. Registered by a DHT bundle beside its {@link PeerRouting}.
 */
@ProviderType
public interface RoutingTableView {

    /**
     * One k-bucket that holds peers.
     *
     * @param index the bucket's index: the number of leading bits a peer's key shares with this
     *     node's (the common prefix length)
     * @param peers the peers in it, least recently seen first, with their addresses
     */
    record Bucket(int index, List<PeerAddresses> peers) {

        /**
         * Copies the list.
         *
         * @param index the common prefix length, not negative
         * @param peers not null
         */
        public Bucket {
            if (index < 0) {
                throw new IllegalArgumentException("bucket index " + index + " is negative");
            }
            peers = List.copyOf(peers);
        }
    }

    /**
     * Tells whether this node answers DHT queries.
     *
     * @return {@code "server"}, or {@code "client"} when it only asks
     */
    String mode();

    /**
     * Returns the bucket size.
     *
     * @return k, the most peers a bucket holds
     */
    int bucketSize();

    /**
     * Returns the non-empty buckets now.
     *
     * @return the buckets holding peers, by index; empty while the table is
     * @throws IllegalStateException if the DHT is not running
     */
    List<Bucket> buckets();
}
