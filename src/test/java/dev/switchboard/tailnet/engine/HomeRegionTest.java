package dev.switchboard.tailnet.engine;

import dev.switchboard.derpmap.DerpMap;
import dev.switchboard.derpmap.DerpNode;
import dev.switchboard.derpmap.DerpRegion;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

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
}
