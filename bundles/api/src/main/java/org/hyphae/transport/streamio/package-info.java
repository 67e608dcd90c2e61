/**
 * Reading and writing messages over the asynchronous {@link org.hyphae.transport.Stream}: exact
 * byte counts and uvarint-length-prefixed messages with size limits, and a stack-safe loop for
 * asynchronous steps. What every protocol bundle (identify, Kademlia, GossipSub, Bitswap, an
 * extension's own protocol) needs, written once.
 */
@Export
@Version("0.2.0")
package org.hyphae.transport.streamio;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
