package org.hyphae.storage.fs;

import java.nio.file.Path;

import org.hyphae.storage.Datastore;
import org.hyphae.storage.testkit.DatastoreContract;
import org.junit.jupiter.api.io.TempDir;

class MvStoreDatastoreContractTest extends DatastoreContract {

    @TempDir
    Path dir;

    @Override
    protected Datastore newStore() throws Exception {
        return new MvStoreDatastore(dir.resolve("datastore").resolve("datastore.mv"));
    }

    @Override
    protected void closeStore(Datastore store) {
        ((MvStoreDatastore) store).close();
    }
}
