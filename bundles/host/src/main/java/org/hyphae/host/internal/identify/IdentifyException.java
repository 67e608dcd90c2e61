package org.hyphae.host.internal.identify;

import java.io.IOException;

/** A peer's identify message was unusable: wrong key, missing key, or from ourselves. */
public final class IdentifyException extends IOException {
    private static final long serialVersionUID = 1L;

    public IdentifyException(String message) {
        super(message);
    }

    public IdentifyException(String message, Throwable cause) {
        super(message, cause);
    }
}
