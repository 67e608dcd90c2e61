package org.hyphae.discovery;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Key-value records kept by the network. Keys are namespaced ({@code /<namespace>/<rest>}); a
 * record is accepted only if the {@link RecordValidator} of its namespace accepts it, on this node
 * and on every node that stores it.
 */
@ProviderType
public interface ValueStore {

    /**
     * Stores a record on this node and on the peers closest to its key.
     *
     * @param key the key, {@code /<namespace>/...}
     * @param value the value
     * @return completes when the peers closest to the key were asked to store it; fails with
     *     {@link InvalidRecordException} if the namespace has no validator or the validator refuses
     *     the record, or with an {@link java.io.IOException} if it could not be stored locally
     */
    CompletionStage<Void> put(byte[] key, byte[] value);

    /**
     * Gets the best valid record for a key, from this node or the network.
     *
     * @param key the key
     * @return completes with the value the namespace's validator selects among those found, or
     *     empty if none was found
     */
    CompletionStage<Optional<byte[]>> get(byte[] key);
}
