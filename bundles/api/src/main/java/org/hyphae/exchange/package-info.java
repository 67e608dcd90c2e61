/**
 * Block exchange: getting content-addressed blocks from peers ({@link BlockExchange}, with one
 * {@link ExchangeSession} per download) and serving this node's blocks to peers that want them.
 * Every block a session delivers has been verified against its CID and stored in the node's
 * {@link org.hyphae.storage.BlockStore}. The Bitswap bundle implements it over
 * {@code /ipfs/bitswap/1.2.0} (with 1.1.0 and 1.0.0).
 */
@Export
@Version("0.2.0")
package org.hyphae.exchange;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
