package dev.switchboard.ha;

import dev.switchboard.coordinator.RemotePeer;
import dev.switchboard.coordinator.proto.Node;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pgcoord's best mapping: expired counts as lost, a known node beats a lost one, then the newest wins. */
class BestMappingTest {
    private final UUID local = UUID.randomUUID();
    private final UUID remote = UUID.randomUUID();
    private final OffsetDateTime now = OffsetDateTime.now();
    private final LongAdder bad = new LongAdder();

    private CoordinatorStore.Binding row(long nodeId, boolean ok, boolean alive, int ageSeconds) {
        return new CoordinatorStore.Binding(local, remote, true, Node.newBuilder().setId(nodeId).build().toByteArray(),
                ok, alive, now.minusSeconds(ageSeconds));
    }

    private RemotePeer best(CoordinatorStore.Binding... rows) {
        return BestMapping.of(Set.of(local), List.of(rows), bad).get(local).get(remote);
    }

    @Test
    void aKnownNodeBeatsANewerLostOne() {
        RemotePeer seen = best(row(1, true, true, 60), row(2, false, true, 0));
        assertEquals(1, seen.node().getId());
        assertTrue(!seen.lost() && seen.inbound());
    }

    @Test
    void theNewestKnownNodeWins() {
        assertEquals(2, best(row(1, true, true, 60), row(2, true, true, 1)).node().getId());
        assertEquals(2, best(row(2, true, true, 1), row(1, true, true, 60)).node().getId());
    }

    @Test
    void aRowOfAnExpiredCoordinatorIsLostNotDropped() {
        RemotePeer seen = best(row(3, true, false, 0));
        assertEquals(3, seen.node().getId());
        assertTrue(seen.lost());
        assertEquals(4, best(row(3, true, false, 0), row(4, true, true, 30)).node().getId());
    }

    @Test
    void aTunnelWithoutRowsIsNoPeerAndABadNodeIsDroppedAndCounted() {
        var none = new CoordinatorStore.Binding(local, remote, false, null, false, false, null);
        var garbage = new CoordinatorStore.Binding(local, remote, false, new byte[]{(byte) 0xff}, true, true, now);
        assertEquals(Map.of(local, Map.of()), BestMapping.of(Set.of(local), List.of(none, garbage), bad));
        assertEquals(1, bad.sum());
        assertEquals(Map.of(local, Map.of()), BestMapping.of(Set.of(local), List.of(), bad), "nothing bound any more");
    }
}
