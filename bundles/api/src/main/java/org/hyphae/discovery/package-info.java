/**
 * Finding peers: discovery sources feeding the peer store, and the DHT's faces (peer routing,
 * content routing, values). First draft: the discovery issue fills these in.
 */
@Export
@Version("0.1.0")
package org.hyphae.discovery;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
