package dev.switchboard.tailnet.engine;

import dev.switchboard.derpmap.DerpMap;
import dev.switchboard.derpmap.DerpNode;
import dev.switchboard.derpmap.DerpRegion;
import dev.switchboard.tailnet.netcheck.NetcheckReport;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HomeRegionTest {
    private static DerpRegion region(long id, boolean embedded, boolean stunOnly) {
        DerpNode node = stunOnly ? DerpNode.stunOnly(id + "s", id, "h", 3478) : DerpNode.relay(id + "a", id, "h", 443, -1, false);
        return DerpRegion.of(embedded, id, "c" + id, "R" + id, List.of(node));
    }

    @Test
    void theEmbeddedRelayWinsThenTheLowestRegionWithARelay() {
        assertEquals(Optional.of(999), HomeRegion.fallback(DerpMap.of(Map.of(1L, region(1, false, false),
                999L, region(999, true, false)))));
        assertEquals(Optional.of(2), HomeRegion.fallback(DerpMap.of(Map.of(1L, region(1, false, true),
                2L, region(2, false, false), 3L, region(3, false, false)))));
        assertEquals(Optional.empty(), HomeRegion.fallback(DerpMap.of(Map.of(1000L, region(1000, false, true)))));
    }

    /** A report whose fastest home-capable region is {@code preferred}; latencies in milliseconds by region. */
    private static NetcheckReport report(long preferred, Map<Long, Integer> millis) {
        TreeMap<Long, Long> nanos = new TreeMap<>();
        millis.forEach((id, ms) -> nanos.put(id, ms * 1_000_000L));
        return new NetcheckReport(true, false, true, false, true, false, false, null, null, null, null, preferred,
                nanos, nanos, new TreeMap<>(), "203.0.113.5:41641", "");
    }

    @Test
    void theHomeMovesOnlyToAMarkedlyFasterRegion() {
        assertEquals(2, HomeRegion.afterReport(999, report(2, Map.of(999L, 60, 2L, 30))), "half the latency");
        assertEquals(999, HomeRegion.afterReport(999, report(2, Map.of(999L, 60, 2L, 45))), "not under 2/3");
        assertEquals(999, HomeRegion.afterReport(999, report(2, Map.of(999L, 12, 2L, 3))), "under 2/3 but < 10 ms");
        assertEquals(2, HomeRegion.afterReport(999, report(2, Map.of(2L, 45))), "the home was not measured");
        assertEquals(2, HomeRegion.afterReport(0, report(2, Map.of(2L, 45))), "no home yet");
        assertEquals(999, HomeRegion.afterReport(999, report(0, Map.of())), "nothing answered: keep it");
    }
}
