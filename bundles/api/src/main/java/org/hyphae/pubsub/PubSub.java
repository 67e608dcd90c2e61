package org.hyphae.pubsub;

import java.util.Set;
import java.util.concurrent.CompletionStage;

import org.hyphae.identity.PeerId;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Topic-based publish/subscribe across the network.
 *
 * <p>A message published on a topic reaches every subscriber of that topic in the connected
 * network, each one at most once, if every {@link TopicValidator} on the way accepts it. This
 * node's own subscriptions to the topic receive the messages it publishes too. Delivery is
 * best effort: there is no acknowledgement from subscribers and no ordering across publishers.
 *
 * <p>All methods are thread-safe and return without blocking on the network.
 */
@ProviderType
public interface PubSub {

    /**
     * Subscribes to a topic. The node announces the subscription to its peers and joins the topic's
     * mesh. Several subscriptions to one topic may exist; each receives every message.
     *
     * @param topic the topic, a non-empty string
     * @param handler receives each message that arrives on the topic after this call, once; it runs
     *     on a delivery thread of the implementation, one message at a time per node, and should
     *     return quickly (hand long work to an executor)
     * @return the subscription; closing it ends deliveries to {@code handler} and, if it was the
     *     last one on the topic, leaves the topic
     * @throws IllegalArgumentException if the topic is empty
     */
    Subscription subscribe(String topic, MessageHandler handler);

    /**
     * Closes every subscription to a topic and leaves it. Does nothing if there is none.
     *
     * @param topic the topic
     */
    void unsubscribe(String topic);

    /**
     * Publishes a message, signed by this node's identity when the implementation's signing policy
     * asks for it. The node need not be subscribed to the topic. Local validators run first: a
     * message they reject or ignore is not sent.
     *
     * @param topic the topic
     * @param data the payload (copied)
     * @return completes with the message as sent and how many peers it was handed to (possibly
     *     zero, if no peer is known on the topic yet); fails with {@link PublishException} if the
     *     message is too large, a local validator refused it, or the service is stopping
     */
    CompletionStage<PublishResult> publish(String topic, byte[] data);

    /**
     * The topics this node is subscribed to.
     *
     * @return an immutable snapshot
     */
    Set<String> topics();

    /**
     * The connected peers known to be subscribed to a topic.
     *
     * @param topic the topic
     * @return an immutable snapshot, empty if no peer is known on the topic
     */
    Set<PeerId> peers(String topic);

    /**
     * What {@link #publish(String, byte[])} did.
     *
     * @param message the message as sent (its {@link Message#receivedFrom()} is this node)
     * @param peers how many peers the message was handed to
     */
    record PublishResult(Message message, int peers) {
        /** Checks the message is there. */
        public PublishResult {
            java.util.Objects.requireNonNull(message, "message");
        }
    }
}
