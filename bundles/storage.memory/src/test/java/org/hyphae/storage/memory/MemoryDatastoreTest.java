package org.hyphae.storage.memory;

import org.hyphae.storage.Datastore;
import org.hyphae.storage.testkit.DatastoreContract;

class MemoryDatastoreTest extends DatastoreContract {

    @Override
    protected Datastore newStore() {
        return new MemoryDatastore();
    }
}
