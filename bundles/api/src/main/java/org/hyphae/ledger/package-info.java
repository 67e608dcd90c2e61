/**
 * The replicated ledger: chain head, transaction submission. First draft: the ledger issue
 * fills this in.
 */
@Export
@Version("0.1.0")
package org.hyphae.ledger;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
