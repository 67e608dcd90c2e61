package org.hyphae.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class ProgressLineTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void onATerminalOneLineIsRedrawnWithABar() {
        ProgressLine line = new ProgressLine(out, true);
        line.transfer(512 * 1024, 1024 * 1024, 3, 1.0);
        line.transfer(1024 * 1024, 1024 * 1024, 2, 2.0);
        line.finish();
        String s = printed();
        assertTrue(s.startsWith("\r\033[2K[############------------]  50% 512.0 KiB / 1.0 MiB  512.0 KiB/s  peers 3  ETA 1 s"), s);
        assertTrue(s.contains("[########################] 100% 1.0 MiB / 1.0 MiB"), s);
        assertFalse(s.contains("\n"), "a terminal line is redrawn, not repeated: " + s);
        assertTrue(s.endsWith("\r\033[2K"), "finish clears the line");
    }

    @Test
    void elsewherePlainLinesAtMostOnceASecondWithoutControlCharacters() {
        ProgressLine line = new ProgressLine(out, false);
        line.transfer(0, -1, 0, 0.0);
        line.transfer(100, -1, 1, 0.5);
        line.transfer(2048, 4096, 1, 1.2);
        line.waiting("waiting for a block (chain at #7)", 2.5);
        line.finish();
        String[] lines = printed().split("\n");
        assertEquals(3, lines.length, printed());
        assertEquals("0 B  0 B/s  peers 0  ETA ?", lines[0]);
        assertEquals(" 50% 2.0 KiB / 4.0 KiB  1.7 KiB/s  peers 1  ETA 1 s", lines[1]);
        assertEquals("waiting for a block (chain at #7)  2.5 s", lines[2]);
        assertFalse(printed().contains("\r") || printed().contains("\033"));
    }

    @Test
    void sizesAreHumanUnits() {
        assertEquals("999 B", ProgressLine.size(999));
        assertEquals("1.5 KiB", ProgressLine.size(1536));
        assertEquals("3.00 GiB", ProgressLine.size(3L << 30));
    }
}
