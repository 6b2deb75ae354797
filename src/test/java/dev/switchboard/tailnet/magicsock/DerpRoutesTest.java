package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodeKey;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class DerpRoutesTest {
    private static final long S = 1_000_000_000L;
    private static final NodeKey PEER = key(1);
    private final DerpRoutes routes = new DerpRoutes();

    private static NodeKey key(int v) {
        byte[] x = new byte[32];
        Arrays.fill(x, (byte) v);
        return NodeKey.of(x);
    }

    @Test
    void prefersAnOpenConnectionThenThePeersReverseRouteThenDials() {
        assertTrue(routes.setHome(1, 0));
        assertFalse(routes.setHome(1, 0), "already open");
        // The peer's home is region 9, but it reached us through our home region 1.
        routes.noteReceived(PEER, 1);
        assertEquals(new DerpRoutes.Write(1, false), routes.writeTarget(new DerpMagicAddress(9), PEER, S));
        assertEquals(new DerpRoutes.Write(9, true), routes.writeTarget(new DerpMagicAddress(9), key(2), S),
                "no reverse route for another peer: dial its region");
        assertEquals(new DerpRoutes.Write(9, false), routes.writeTarget(new DerpMagicAddress(9), PEER, S),
                "once open, the peer's own region wins");
    }

    @Test
    void aClosedConnectionVoidsRoutesThroughIt() {
        routes.setHome(1, 0);
        routes.writeTarget(new DerpMagicAddress(5), null, 0);
        routes.noteReceived(PEER, 5);
        routes.closed(5);
        assertTrue(routes.writeTarget(new DerpMagicAddress(5), null, 0).dial(), "re-dialled: a new connection");
        assertEquals(new DerpRoutes.Write(9, true), routes.writeTarget(new DerpMagicAddress(9), PEER, 0),
                "the peer has not yet reached us over the new connection to 5");
    }

    @Test
    void idleNonHomeConnectionsAreCleanedAfterSixtySeconds() {
        routes.setHome(1, 0);
        routes.writeTarget(new DerpMagicAddress(9), PEER, 0);
        assertTrue(routes.anyNonHomeOpen());
        assertEquals(List.of(), routes.cleanStale(60 * S), "not more than 60 s idle yet");
        assertEquals(List.of(9), routes.cleanStale(60 * S + 1));
        assertFalse(routes.isOpen(9));
        assertTrue(routes.isOpen(1), "home is never cleaned");
        assertFalse(routes.anyNonHomeOpen());
        assertEquals(List.of(), routes.cleanStale(1000 * S));
    }

    @Test
    void reverseRoutesAreBounded() {
        routes.setHome(1, 0);
        for (int i = 0; i < DerpRoutes.MAX_ROUTES + 10; i++) {
            byte[] k = new byte[32];
            k[0] = (byte) i;
            k[1] = (byte) (i >> 8);
            routes.noteReceived(NodeKey.of(k), 1);
        }
        byte[] first = new byte[32];
        assertEquals(new DerpRoutes.Write(9, true), routes.writeTarget(new DerpMagicAddress(9), NodeKey.of(first), 0),
                "the oldest route was dropped");
    }
}
