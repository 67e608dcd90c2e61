package org.hyphae.storage.commands;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import org.hyphae.node.AreaSelector;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Switches the storage kind of the node's consumers (blocks and datastore together), for the
 * dashboard: the same Config Admin target filters as {@code hyphae:storage-use}.
 */
@Component(property = {AreaSelector.AREA_PROPERTY + "=blocks", AreaSelector.AREA_PROPERTY + "=datastore"})
public final class StorageSelector implements AreaSelector {

    @Reference
    private StorageCommands commands;

    @Override
    public List<String> choices() {
        return commands.completeKinds();
    }

    @Override
    public String selected() {
        return commands.activeKind().replace(" (default)", "");
    }

    @Override
    public String select(String choice) {
        List<String> choices = choices();
        if (!choices.contains(choice)) {
            throw new IllegalArgumentException("no storage kind \"" + choice + "\" with both stores active; choices: " + choices);
        }
        try {
            String result = commands.storageUse(choice);
            if (!result.startsWith("active storage kind is now")) {
                throw new IllegalStateException(result);
            }
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the storage selection configuration: " + e.getMessage(), e);
        }
    }
}
