/**
 * The replicated ledger: blocks ({@link org.hyphae.ledger.BlockHeader}, {@link org.hyphae.ledger.Block})
 * and signed {@link org.hyphae.ledger.Transaction}s in a canonical, versioned binary encoding with
 * SHA-256 ids ({@link org.hyphae.ledger.Hash}), the chain file ({@link org.hyphae.ledger.ChainSpec}),
 * account state ({@link org.hyphae.ledger.Account}), and the {@link org.hyphae.ledger.Ledger} service
 * that keeps, extends and syncs the chain, with what its sync peers report
 * ({@link org.hyphae.ledger.PeerHead}). New heads reach {@link org.hyphae.ledger.BlockListener}
 * services.
 */
@Export
@Version("0.3.0")
package org.hyphae.ledger;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
