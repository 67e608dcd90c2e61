package org.hyphae.pubsub;

import org.osgi.annotation.versioning.ConsumerType;

/** Receives the messages of a subscription. */
@ConsumerType
@FunctionalInterface
public interface MessageHandler {

    /**
     * Takes one message that validators accepted. Called once per message and subscription, on a
     * delivery thread; an exception it throws is logged and does not affect routing.
     *
     * @param message the message
     */
    void onMessage(Message message);
}
