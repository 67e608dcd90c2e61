/**
 * The storage conformance suite. A store proves it keeps the {@link org.hyphae.storage.BlockStore}
 * and {@link org.hyphae.storage.Datastore} contracts by a test class that extends
 * {@link org.hyphae.storage.testkit.BlockStoreContract} or
 * {@link org.hyphae.storage.testkit.DatastoreContract} and implements the factory method.
 */
@Export
@Version("1.0.0")
package org.hyphae.storage.testkit;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
