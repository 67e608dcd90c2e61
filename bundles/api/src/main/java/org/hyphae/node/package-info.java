/**
 * The node as a whole: which implementation serves each area, for the shell and operators.
 */
@Export
@Version("0.2.0")
package org.hyphae.node;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
