package org.hyphae.consensus.bft.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

import org.hyphae.ledger.Hash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VoteLogTest {

    @TempDir
    Path dir;

    private static Hash id(int b) {
        byte[] x = new byte[32];
        x[0] = (byte) b;
        return Hash.of(x);
    }

    @Test
    void aSignatureLoggedBeforeACrashForbidsAnotherForTheSameStep() throws IOException {
        VoteLog log = VoteLog.open(dir);
        assertTrue(log.record(5, 2, BftMessage.PREVOTE, id(1)));
        assertTrue(log.record(5, 2, BftMessage.PRECOMMIT, Hash.ZERO));
        // No close: the process dies here; the records were forced to disk.
        VoteLog after = VoteLog.open(dir);
        assertFalse(after.record(5, 2, BftMessage.PREVOTE, id(2)), "a different prevote for #5/2 is refused");
        assertTrue(after.record(5, 2, BftMessage.PREVOTE, id(1)), "the same one may be sent again");
        assertEquals(Optional.of(id(1)), after.signed(5, 2, BftMessage.PREVOTE));
        assertEquals(2, after.lastRound(5));
        assertTrue(after.lastPrecommit(5).isEmpty(), "a nil precommit is no lock");
        assertTrue(after.record(5, 3, BftMessage.PRECOMMIT, id(3)));
        assertEquals(3, after.lastPrecommit(5).orElseThrow().getKey());
        after.close();
        log.close();
    }

    @Test
    void aTornTailIsCutOffAndTheWholeRecordsKept() throws IOException {
        VoteLog log = VoteLog.open(dir);
        log.record(7, 0, BftMessage.PREVOTE, id(1));
        log.close();
        Path f = dir.resolve("votes.wal");
        Files.write(f, new byte[] {1, 2, 3, 4, 5}, StandardOpenOption.APPEND);
        VoteLog after = VoteLog.open(dir);
        assertEquals(VoteLog.RECORD, Files.size(f), "the torn bytes are gone");
        assertFalse(after.record(7, 0, BftMessage.PREVOTE, id(2)));
        after.close();
    }

    @Test
    void aCorruptLastRecordIsCutButEarlierDamageRefusesToOpen() throws IOException {
        VoteLog log = VoteLog.open(dir);
        log.record(7, 0, BftMessage.PREVOTE, id(1));
        log.record(7, 1, BftMessage.PREVOTE, id(1));
        log.record(7, 2, BftMessage.PREVOTE, id(1));
        log.close();
        Path f = dir.resolve("votes.wal");
        byte[] all = Files.readAllBytes(f);
        all[2 * VoteLog.RECORD + 20] ^= 1;
        Files.write(f, all);
        VoteLog after = VoteLog.open(dir);
        assertEquals(2, after.size());
        after.close();
        byte[] cut = Files.readAllBytes(f);
        cut[20] ^= 1;
        Files.write(f, cut);
        String why = assertThrows(IOException.class, () -> VoteLog.open(dir)).getMessage();
        assertTrue(why.contains("corrupt at byte 0"), why);
    }

    @Test
    void pruningKeepsTheCurrentHeight() throws IOException {
        VoteLog log = VoteLog.open(dir);
        log.record(1, 0, BftMessage.PREVOTE, id(1));
        log.record(2, 0, BftMessage.PREVOTE, id(1));
        log.prune(2);
        assertEquals(1, log.size());
        assertTrue(log.record(2, 1, BftMessage.PREVOTE, id(1)));
        log.close();
        VoteLog after = VoteLog.open(dir);
        assertFalse(after.record(2, 0, BftMessage.PREVOTE, id(9)));
        assertTrue(after.signed(2, 1, BftMessage.PREVOTE).isPresent());
        after.close();
    }

    @Test
    void theFileIsRewrittenOnceEnoughDecidedRecordsPiledUp() throws IOException {
        VoteLog log = VoteLog.open(dir);
        Path f = dir.resolve("votes.wal");
        long h = 1;
        for (; h <= VoteLog.REWRITE_AFTER; h++) {
            log.record(h, 0, BftMessage.PREVOTE, id(1));
            log.prune(h);
        }
        assertEquals((long) VoteLog.REWRITE_AFTER * VoteLog.RECORD, Files.size(f), "decided records wait in the file");
        log.record(h, 0, BftMessage.PREVOTE, id(2));
        log.prune(h);
        assertEquals(VoteLog.RECORD, Files.size(f), "the rewrite keeps only the current height");
        log.close();
        VoteLog after = VoteLog.open(dir);
        assertEquals(1, after.size());
        assertFalse(after.record(h, 0, BftMessage.PREVOTE, id(3)), "the current height's vote survived the rewrite");
        after.close();
    }

    @Test
    void aClosedLogSignsNothing() throws IOException {
        VoteLog log = VoteLog.open(dir);
        log.close();
        assertThrows(java.io.UncheckedIOException.class, () -> log.record(1, 0, BftMessage.PREVOTE, id(1)));
    }
}
