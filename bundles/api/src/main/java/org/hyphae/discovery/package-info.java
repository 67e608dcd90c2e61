/**
 * Finding peers and content: discovery sources ({@link PeerDiscovery}) feeding the {@link PeerStore}, and
 * the DHT's faces: {@link PeerRouting} (find a peer by id), {@link ContentRouting} (provider
 * records), {@link ValueStore} (validated key-value records, with {@link RecordValidator} services
 * per namespace).
 */
@Export
@Version("0.4.0")
package org.hyphae.discovery;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
