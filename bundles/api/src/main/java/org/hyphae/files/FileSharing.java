package org.hyphae.files;

import java.util.Set;

import org.hyphae.multiformats.Cid;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Sharing files and folders as UnixFS DAGs.
 *
 * <p>First draft: the file sharing issue adds add, fetch and progress.
 */
@ProviderType
public interface FileSharing {

    /** Roots that are pinned (kept by garbage collection). */
    Set<Cid> pins();
}
