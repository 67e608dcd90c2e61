package org.hyphae.discovery;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides which records of one key namespace a {@link ValueStore} accepts, and which of several
 * it prefers. A whiteboard service with {@value #NAMESPACE_PROPERTY} naming the namespace (for
 * {@code /pk/...} keys, {@code pk}). The DHT has the {@code pk} validator built in.
 */
@ConsumerType
public interface RecordValidator {

    /** Service property: the namespace this validator serves, without slashes. */
    String NAMESPACE_PROPERTY = "discovery.record.namespace";

    /**
     * Checks one record.
     *
     * @param key the full key, {@code /<namespace>/...}
     * @param value the value
     * @throws InvalidRecordException if the record must be refused; the message says why
     */
    void validate(byte[] key, byte[] value) throws InvalidRecordException;

    /**
     * Chooses the best of several valid records for one key.
     *
     * @param key the key
     * @param values at least one value, each already validated
     * @return the index of the preferred value
     */
    default int select(byte[] key, List<byte[]> values) {
        return 0;
    }
}
