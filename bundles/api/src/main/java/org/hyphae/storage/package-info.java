/**
 * Storage contracts: content-addressed blocks ({@link org.hyphae.storage.BlockStore}, verified on
 * write and on read) and an ordered key/value {@link org.hyphae.storage.Datastore} with range scans
 * and atomic batches. Implementations register these services with the
 * {@link org.hyphae.storage.BlockStore#KIND_PROPERTY storage.kind} property; failures are
 * {@link org.hyphae.storage.StorageException}s that name the CID, key, file or connection.
 */
@Export
@Version("1.3.0")
package org.hyphae.storage;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
