package org.hyphae.host.internal.multistream;

import java.io.IOException;

/** The peer broke multistream-select 1.0: malformed framing, a wrong header, or an unexpected answer. */
public final class MultistreamException extends IOException {
    private static final long serialVersionUID = 1L;

    public MultistreamException(String message) {
        super(message);
    }
}
