package org.hyphae.storage.fs;

import java.io.RandomAccessFile;
import java.nio.file.Path;

import org.hyphae.multiformats.Cid;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.testkit.BlockStoreContract;
import org.junit.jupiter.api.io.TempDir;

class BlockFilesContractTest extends BlockStoreContract {

    @TempDir
    Path dir;

    @Override
    protected BlockStore newStore() throws Exception {
        return new BlockFiles(dir.resolve("blocks"));
    }

    @Override
    protected boolean corrupt(BlockStore store, Cid cid) throws Exception {
        try (RandomAccessFile file = new RandomAccessFile(((BlockFiles) store).pathOf(cid).toFile(), "rw")) {
            file.seek(0);
            int b = file.read();
            file.seek(0);
            file.write(b ^ 1);
        }
        return true;
    }
}
