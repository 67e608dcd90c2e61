package org.hyphae.dashboard.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ActivityViewTest {

    @Test
    void theBlocksParameterIsBoundedAndNothingElseIsTaken() {
        assertEquals(ActivityView.DEFAULT_BLOCKS, ActivityView.blocks(null));
        assertEquals(ActivityView.DEFAULT_BLOCKS, ActivityView.blocks(""));
        assertEquals(25, ActivityView.blocks("blocks=25"));
        assertEquals(100, ActivityView.blocks("blocks=100"));
        for (String bad : new String[] {"blocks=0", "blocks=101", "blocks=-3", "blocks=", "blocks", "blocks=1e3"}) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> ActivityView.blocks(bad)).getMessage()
                    .contains("from 1 to 100"), bad);
        }
        String reason = assertThrows(IllegalArgumentException.class, () -> ActivityView.blocks("x".repeat(500) + "=1"))
                .getMessage();
        assertTrue(reason.contains("unknown parameter") && reason.length() < 120, reason);
    }

    @Test
    void absentAreasGiveEmptyViews() {
        assertEquals("{\"mode\":null,\"buckets\":[]}", ActivityView.routing(null).toString());
        assertEquals("[]", ActivityView.transfers(null).toString());
        assertEquals(null, ActivityView.chain(null, 5));
    }
}
