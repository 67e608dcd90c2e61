/**
 * Topic-based publish/subscribe across the network ({@link org.hyphae.pubsub.PubSub}), the messages
 * it carries ({@link org.hyphae.pubsub.Message}) and per-topic validation through the
 * {@link org.hyphae.pubsub.TopicValidator} whiteboard. The contracts say nothing about the routing
 * protocol; the default implementation is GossipSub v1.1.
 */
@Export
@Version("0.2.0")
package org.hyphae.pubsub;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
