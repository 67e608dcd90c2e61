package org.hyphae.host.internal.noise;

import org.hyphae.identity.PeerId;

/** The peer proved an identity other than the one the dialler expected (the {@code /p2p/} id it dialled). */
public final class PeerIdMismatchException extends NoiseException {
    private static final long serialVersionUID = 1L;
    private final transient PeerId expected;
    private final transient PeerId actual;

    public PeerIdMismatchException(PeerId expected, PeerId actual, Object address) {
        super("dialled " + address + " expecting peer " + expected + ", but it authenticated as " + actual);
        this.expected = expected;
        this.actual = actual;
    }

    public PeerId expected() {
        return expected;
    }

    public PeerId actual() {
        return actual;
    }
}
