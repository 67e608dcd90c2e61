/**
 * Addresses ({@link org.hyphae.transport.Multiaddr}) and the transport and host contracts: raw
 * connections by transports, upgraded and multiplexed connections by the host. First draft: the
 * transport issue fills in dialling, listening and streams.
 */
@Export
@Version("0.1.0")
package org.hyphae.transport;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
