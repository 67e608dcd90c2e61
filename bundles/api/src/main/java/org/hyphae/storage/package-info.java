/**
 * Content-addressed blocks ({@link org.hyphae.storage.BlockStore}) and an ordered key/value
 * {@link org.hyphae.storage.Datastore}. First draft: the storage issue fills these in.
 */
@Export
@Version("0.1.0")
package org.hyphae.storage;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
