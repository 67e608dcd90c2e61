package org.hyphae.node;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What this node is made of right now: for each area (identity, transport, storage, ...), the
 * implementations that are installed and whether each is in use.
 */
@ProviderType
public interface NodeStatus {

    /** One entry per known area, in a stable order, including areas with no implementation. */
    List<AreaStatus> areas();
}
