/**
 * File sharing: files and folders as UnixFS DAGs (dag-pb nodes over raw leaves, CIDv1) in the
 * {@link org.hyphae.storage.BlockStore}, with the same CIDs Helia and kubo give for the same bytes
 * and settings; export back to bytes, pins, and (with the Bitswap bundle) fetching from the swarm.
 */
@Export
@Version("0.5.0")
package org.hyphae.files;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
