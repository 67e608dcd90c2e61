/**
 * Consensus engines, registered as whiteboard services by name. First draft: the ledger and
 * consensus issues fill this in.
 */
@Export
@Version("0.1.0")
package org.hyphae.consensus;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
