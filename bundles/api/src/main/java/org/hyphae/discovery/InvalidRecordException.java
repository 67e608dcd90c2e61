package org.hyphae.discovery;

/** A record that its namespace's {@link RecordValidator} refuses, or that has no validator. */
public class InvalidRecordException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong with which record
     */
    public InvalidRecordException(String message) {
        super(message);
    }
}
