package org.hyphae.storage;

import java.io.IOException;
import java.util.Optional;

/**
 * A store could not do what was asked. The message says what was attempted and on what (which CID,
 * which key), and {@link #resource()} names where: the file, or the database connection.
 *
 * <p>Subclasses say what kind of failure it was when a caller may act on it:
 * {@link BlockMismatchException} (the bytes offered do not hash to the CID; nothing was stored) and
 * {@link CorruptDataException} (stored data fails verification; it is not returned).
 */
public class StorageException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String resource;

    /**
     * Creates an exception.
     *
     * @param message what was attempted and what went wrong
     * @param resource the file, directory or connection involved, or {@code null} if none
     * @param cause the underlying failure, or {@code null}
     */
    public StorageException(String message, String resource, Throwable cause) {
        super(resource == null ? message : message + " [" + resource + "]", cause);
        this.resource = resource;
    }

    /**
     * Creates an exception that names no resource.
     *
     * @param message what was attempted and what went wrong
     * @param cause the underlying failure, or {@code null}
     */
    public StorageException(String message, Throwable cause) {
        this(message, null, cause);
    }

    /**
     * Returns where the failure happened.
     *
     * @return the file, directory or connection (a JDBC URL without credentials), if known
     */
    public Optional<String> resource() {
        return Optional.ofNullable(resource);
    }
}
