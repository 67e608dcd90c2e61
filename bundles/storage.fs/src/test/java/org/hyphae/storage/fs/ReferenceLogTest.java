package org.hyphae.storage.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.multiformats.Multihash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference log on its own: replay, replaced and dropped references, compaction. */
class ReferenceLogTest {

    @TempDir
    Path dir;

    private static Cid cid(int i) {
        return Cid.v1(Multicodec.RAW.code(), Multihash.sha2_256(("block " + i).getBytes()));
    }

    private static FileReferences.Ref ref(int i) {
        return new FileReferences.Ref("link-" + (i % 3), 1000L * i, 1000, i);
    }

    @Test
    void mostlyDeadRecordsAreRewrittenAndWhatIsLiveSurvivesReopen() throws Exception {
        ReferenceLog log = new ReferenceLog(dir, 50);
        List<ReferenceLog.Change> puts = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            puts.add(new ReferenceLog.Change(cid(i), ref(i)));
        }
        assertEquals(Map.of(), log.append(puts), "nothing replaced");
        long full = Files.size(dir.resolve(ReferenceLog.NAME));
        List<ReferenceLog.Change> drops = new ArrayList<>();
        for (int i = 10; i < 100; i++) {
            drops.add(new ReferenceLog.Change(cid(i), null));
        }
        Map<Cid, FileReferences.Ref> dropped = log.append(drops);
        assertEquals(90, dropped.size());
        assertEquals(ref(42), dropped.get(cid(42)), "what a drop removed is returned, for its link");
        assertEquals(10, log.records(), "190 records for 10 live ones: rewritten");
        assertTrue(Files.size(dir.resolve(ReferenceLog.NAME)) < full / 5);

        // A reference replaced: the old one comes back, the new one is what reopens.
        FileReferences.Ref moved = new FileReferences.Ref("link-9", 5, 1000, 3);
        assertEquals(Map.of(cid(3), ref(3)), log.append(List.of(new ReferenceLog.Change(cid(3), moved))));
        ReferenceLog reopened = new ReferenceLog(dir, 50);
        Map<Cid, FileReferences.Ref> all = reopened.all();
        assertEquals(10, all.size());
        assertEquals(moved, all.get(cid(3)));
        assertEquals(ref(7), all.get(cid(7)));
        assertEquals(11, reopened.records());
    }
}
