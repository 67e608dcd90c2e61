package org.hyphae.node;

import java.util.Objects;

/**
 * One implementation of an area's contract.
 *
 * @param name the component name (for Declarative Services) or service description
 * @param bundle symbolic name and version of the bundle that provides it
 * @param state whether it is in use, registered but idle, or not available
 * @param detail why it is in that state, e.g. the unsatisfied reference; empty when there is nothing to say
 */
public record Implementation(String name, String bundle, ImplementationState state, String detail) {

    public Implementation {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(state, "state");
        detail = detail == null ? "" : detail;
    }
}
