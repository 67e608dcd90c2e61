package org.hyphae.storage.memory;

import org.hyphae.multiformats.Cid;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.testkit.BlockStoreContract;

class MemoryBlockStoreTest extends BlockStoreContract {

    @Override
    protected BlockStore newStore() {
        return new MemoryBlockStore();
    }

    @Override
    protected boolean corrupt(BlockStore store, Cid cid) {
        return ((MemoryBlockStore) store).damage(cid);
    }
}
