package org.hyphae.storage.jdbc;

import org.hyphae.multiformats.Cid;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.testkit.BlockStoreContract;

class PostgresBlockStoreContractTest extends BlockStoreContract {

    private TestDatabase database;
    private String schema;
    private PostgresConnections connections;

    @Override
    protected BlockStore newStore() {
        database = TestDatabase.require();
        schema = database.newSchema();
        connections = database.connections(schema);
        return new PostgresBlockStore(connections);
    }

    @Override
    protected void closeStore(BlockStore store) throws Exception {
        connections.close();
        database.dropSchema(schema);
    }

    @Override
    protected boolean corrupt(BlockStore store, Cid cid) throws Exception {
        String hex = java.util.HexFormat.of().formatHex(cid.bytes());
        database.execute("UPDATE " + schema + ".hyphae_blocks SET data = set_byte(data, 0, get_byte(data, 0) # 1)"
                + " WHERE cid = '\\x" + hex + "'::bytea");
        return true;
    }
}
