package org.hyphae.identity.internal;

import java.nio.file.Path;

/** The identity key file cannot be used; the message starts with the file's path. */
public final class IdentityKeyException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    public IdentityKeyException(Path file, String problem) {
        this(file, problem, null);
    }

    public IdentityKeyException(Path file, String problem, Throwable cause) {
        super("identity key file " + file.toAbsolutePath() + ": " + problem, cause);
        this.file = file;
    }

    /** The key file concerned. */
    public Path file() {
        return file;
    }
}
