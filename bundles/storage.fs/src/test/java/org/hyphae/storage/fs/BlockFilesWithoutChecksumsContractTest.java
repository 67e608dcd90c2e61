package org.hyphae.storage.fs;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.attribute.UserDefinedFileAttributeView;

import org.hyphae.storage.BlockStore;
import org.hyphae.storage.testkit.SampleBlock;
import org.junit.jupiter.api.Test;

/**
 * The block store contract on the path a file system without user extended attributes takes: no
 * checksum is written, and every read is hashed.
 */
class BlockFilesWithoutChecksumsContractTest extends BlockFilesContractTest {

    @Override
    protected BlockStore newStore() throws Exception {
        return new BlockFiles(dir.resolve("blocks"), false);
    }

    @Test
    void writesNoChecksumAttribute() throws Exception {
        BlockFiles store = (BlockFiles) newStore();
        SampleBlock b = SampleBlock.random(new java.util.Random(9), 1_000);
        store.put(b.cid(), b.data());
        UserDefinedFileAttributeView view = Files.getFileAttributeView(store.pathOf(b.cid()), UserDefinedFileAttributeView.class);
        assertThrows(IOException.class, () -> view.read(BlockFiles.CHECKSUM_ATTRIBUTE, ByteBuffer.allocate(8)));
    }
}
