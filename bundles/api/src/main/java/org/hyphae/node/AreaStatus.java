package org.hyphae.node;

import java.util.List;
import java.util.Objects;

/**
 * The implementations of one area's service contract.
 *
 * @param area short name of the area, e.g. {@code storage}
 * @param contract fully qualified name of the service interface, e.g. {@code org.hyphae.storage.BlockStore}
 * @param implementations every implementation known to the framework, active first
 */
public record AreaStatus(String area, String contract, List<Implementation> implementations) {

    public AreaStatus {
        Objects.requireNonNull(area, "area");
        Objects.requireNonNull(contract, "contract");
        implementations = List.copyOf(implementations);
    }

    /** The implementations that are registered and used by some other bundle. */
    public List<Implementation> active() {
        return implementations.stream().filter(i -> i.state() == ImplementationState.ACTIVE).toList();
    }
}
