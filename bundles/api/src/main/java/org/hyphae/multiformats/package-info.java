/**
 * Multiformats value types: varints, multibase, multihash, CIDs and multiaddrs, with the text
 * and binary forms their specifications define.
 */
@Export
@Version("0.2.0")
package org.hyphae.multiformats;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
