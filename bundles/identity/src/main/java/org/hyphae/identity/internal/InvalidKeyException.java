package org.hyphae.identity.internal;

/** Key bytes that are not a usable Ed25519 identity; the message says what is wrong. */
public final class InvalidKeyException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidKeyException(String message) {
        super(message);
    }
}
