package org.hyphae.host.internal.noise;

import java.io.IOException;

/** The Noise handshake or a transport message failed: bad framing, bad tag, bad identity proof. */
public class NoiseException extends IOException {
    private static final long serialVersionUID = 1L;

    public NoiseException(String message) {
        super(message);
    }

    public NoiseException(String message, Throwable cause) {
        super(message, cause);
    }
}
