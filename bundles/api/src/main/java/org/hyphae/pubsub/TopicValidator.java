package org.hyphae.pubsub;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides whether a message on a topic may spread. A whiteboard service registered with the
 * service property {@value #TOPIC_PROPERTY}.
 *
 * <p>First draft: the pubsub issue adds the message type and the verdict.
 */
@ConsumerType
public interface TopicValidator {

    /** Service property with the topic(s) this validator judges. */
    String TOPIC_PROPERTY = "pubsub.topic";
}
