package org.hyphae.pubsub;

import java.io.IOException;

/** A message could not be published; the message says why and on which topic. */
public class PublishException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, naming the topic
     */
    public PublishException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, naming the topic
     * @param cause the underlying failure
     */
    public PublishException(String message, Throwable cause) {
        super(message, cause);
    }
}
