package org.hyphae.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class SampleTest {

    @Test
    void countersLoseTheirSuffixForMicrometerWhichAddsItBack() {
        assertEquals("hyphae_bytes_sent", new Sample("hyphae_bytes_sent_total", "h", true, 1, List.of()).meterName());
        assertEquals("hyphae_peers", new Sample("hyphae_peers", "h", false, 1, List.of()).meterName());
    }

    @Test
    void malformedMetricsAreRefusedSayingWhy() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Sample("Bad-Name", "h", false, 1, List.of()))
                .getMessage().contains("must match"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Sample("hyphae_sent", "h", true, 1, List.of()))
                .getMessage().contains("must end in _total"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Sample("m", "h", false, 1, List.of("k")))
                .getMessage().contains("name, value pairs"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Sample("m", "h", false, 1, List.of("K!", "v")))
                .getMessage().contains("label name"));
    }
}
