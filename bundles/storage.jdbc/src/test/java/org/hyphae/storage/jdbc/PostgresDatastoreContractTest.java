package org.hyphae.storage.jdbc;

import org.hyphae.storage.Datastore;
import org.hyphae.storage.testkit.DatastoreContract;

class PostgresDatastoreContractTest extends DatastoreContract {

    private TestDatabase database;
    private String schema;
    private PostgresConnections connections;

    @Override
    protected Datastore newStore() {
        database = TestDatabase.require();
        schema = database.newSchema();
        connections = database.connections(schema);
        return new PostgresDatastore(connections);
    }

    @Override
    protected void closeStore(Datastore store) throws Exception {
        connections.close();
        database.dropSchema(schema);
    }
}
