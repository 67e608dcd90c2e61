package org.hyphae.pubsub;

import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Topic-based publish/subscribe across the network.
 *
 * <p>First draft: the pubsub issue adds subscriptions with handlers, publishing and peers.
 */
@ProviderType
public interface PubSub {

    /** The topics this node is subscribed to. */
    Set<String> topics();
}
