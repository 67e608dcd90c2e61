/**
 * File sharing: adding files and folders as content-addressed DAGs, fetching them from the
 * swarm, pinning. First draft: the file sharing issue fills this in.
 */
@Export
@Version("0.1.0")
package org.hyphae.files;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
