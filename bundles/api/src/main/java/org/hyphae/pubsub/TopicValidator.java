package org.hyphae.pubsub;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides whether a message on a topic may spread. A whiteboard service registered with the
 * service property {@value #TOPIC_PROPERTY} (a string or string array of topics). Every validator
 * registered for a topic must accept a message before it is delivered to local subscribers or
 * forwarded; one {@link ValidationResult#REJECT} makes it invalid (the sender is penalised), an
 * {@link ValidationResult#IGNORE} drops it quietly. Validators also run on messages this node
 * publishes.
 *
 * <p>Validators run after the pubsub implementation's own checks (size, signature, duplicates), so
 * they only see well-formed, correctly signed, new messages. A synchronous validator implements
 * {@link #validate(Message)}; one that needs I/O overrides {@link #validateAsync(Message)}. A
 * validator that throws, or whose stage fails or does not complete within the implementation's
 * validation timeout, counts as {@link ValidationResult#IGNORE}.
 */
@ConsumerType
@FunctionalInterface
public interface TopicValidator {

    /** Service property with the topic(s) this validator judges. */
    String TOPIC_PROPERTY = "pubsub.topic";

    /**
     * Judges a message. Called on a pubsub thread: must not block.
     *
     * @param message the message
     * @return the verdict
     */
    ValidationResult validate(Message message);

    /**
     * Judges a message asynchronously. The implementation calls this method; by default it returns
     * {@link #validate(Message)} at once. Override it (and let {@code validate} return the same
     * verdict synchronously, or throw {@link UnsupportedOperationException}) to validate without
     * blocking on I/O.
     *
     * @param message the message
     * @return completes with the verdict
     */
    default CompletionStage<ValidationResult> validateAsync(Message message) {
        return CompletableFuture.completedFuture(validate(message));
    }
}
