/**
 * This node's identity: Ed25519 key pair, {@link org.hyphae.identity.PeerId} as libp2p derives it, and
 * the {@link org.hyphae.identity.Identity} service that signs and verifies.
 */
@Export
@Version("0.3.0")
package org.hyphae.identity;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
