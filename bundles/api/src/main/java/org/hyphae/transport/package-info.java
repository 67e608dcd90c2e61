/**
 * Addresses ({@link org.hyphae.transport.Multiaddr}) and the transport and host contracts: raw
 * connections by transports, upgraded and multiplexed connections by the host, and
 * {@link org.hyphae.transport.ConnectionListener} for connection events.
 */
@Export
@Version("0.3.0")
package org.hyphae.transport;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
