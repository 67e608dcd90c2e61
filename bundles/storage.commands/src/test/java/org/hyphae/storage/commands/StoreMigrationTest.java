package org.hyphae.storage.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.hyphae.multiformats.Cid;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.CorruptDataException;
import org.hyphae.storage.Datastore;
import org.hyphae.storage.memory.MemoryBlockStore;
import org.hyphae.storage.memory.MemoryDatastore;
import org.hyphae.storage.testkit.SampleBlock;
import org.junit.jupiter.api.Test;

class StoreMigrationTest {

    private static BlockStore newBlocks() {
        return new MemoryBlockStore();
    }

    private static Datastore newData() {
        return new MemoryDatastore();
    }

    @Test
    void copiesEverythingAndVerifiesAndCanRunAgain() throws Exception {
        BlockStore fromBlocks = newBlocks();
        BlockStore toBlocks = newBlocks();
        Datastore fromData = newData();
        Datastore toData = newData();
        Random random = new Random(1);
        List<SampleBlock> blocks = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            SampleBlock b = SampleBlock.random(random, random.nextInt(5000));
            fromBlocks.put(b.cid(), b.data());
            blocks.add(b);
        }
        toBlocks.put(blocks.get(0).cid(), blocks.get(0).data());
        for (int i = 0; i < 1234; i++) {
            fromData.put(("k" + i).getBytes(), ("v" + i).getBytes());
        }
        List<String> progress = new ArrayList<>();
        StoreMigration.Result result = new StoreMigration(progress::add).migrate(fromBlocks, toBlocks, fromData, toData);
        assertEquals(299, result.blocksCopied());
        assertEquals(1, result.blocksPresent());
        assertEquals(1234, result.entriesCopied());
        assertTrue(progress.stream().anyMatch(l -> l.startsWith("verified 300 blocks and 1234")), progress.toString());
        for (SampleBlock b : blocks) {
            assertArrayEquals(b.data(), toBlocks.get(b.cid()).orElseThrow());
        }
        assertEquals(fromData.stats(), toData.stats());

        StoreMigration.Result again = new StoreMigration(l -> { }).migrate(fromBlocks, toBlocks, fromData, toData);
        assertEquals(0, again.blocksCopied());
        assertEquals(300, again.blocksPresent());
    }

    @Test
    void aCorruptSourceBlockStopsTheMigrationNamingIt() throws Exception {
        BlockStore fromBlocks = newBlocks();
        SampleBlock b = SampleBlock.random(new Random(2), 100);
        fromBlocks.put(b.cid(), b.data());
        // Damage it through the memory store's package-private test hook.
        var damage = fromBlocks.getClass().getDeclaredMethod("damage", Cid.class);
        damage.setAccessible(true);
        damage.invoke(fromBlocks, b.cid());
        CorruptDataException e = assertThrows(CorruptDataException.class,
                () -> new StoreMigration(l -> { }).migrate(fromBlocks, newBlocks(), newData(), newData()));
        assertTrue(e.getMessage().contains(b.cid().toString()), e.getMessage());
    }
}
