package org.hyphae.pubsub;

import org.osgi.annotation.versioning.ProviderType;

/** A subscription to one topic, from {@link PubSub#subscribe(String, MessageHandler)}. */
@ProviderType
public interface Subscription extends AutoCloseable {

    /**
     * The topic.
     *
     * @return the topic subscribed to
     */
    String topic();

    /**
     * Whether deliveries still happen: false after {@link #close()} or
     * {@link PubSub#unsubscribe(String)}, or once the service stopped.
     *
     * @return whether the subscription is active
     */
    boolean isActive();

    /**
     * Ends deliveries to this subscription's handler; if it was the last subscription to the topic,
     * the node leaves the topic. Idempotent; a delivery already running finishes.
     */
    @Override
    void close();
}
