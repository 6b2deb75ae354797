package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodeKey;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static dev.switchboard.tailnet.magicsock.AddrPortsTest.ap;
import static org.junit.jupiter.api.Assertions.*;

class OwnEndpointsTest {
    private static final long S = 1_000_000_000L;
    private static final DerpMagicAddress VIA = new DerpMagicAddress(2);
    private static final NodeKey PEER = key(1);

    private static NodeKey key(int v) {
        byte[] x = new byte[32];
        Arrays.fill(x, (byte) v);
        return NodeKey.of(x);
    }

    private static Endpoint ep(String addr, Endpoint.Type type) {
        return new Endpoint(ap(addr), type);
    }

    @Test
    void determineKeepsTailscalesOrderAndUsesLoopbackOnlyAsALastResort() {
        List<Endpoint> eps = OwnEndpoints.determine(Optional.of(ap("203.0.113.5:41000")), true,
                Optional.of(ap("[2001:db8::5]:41641")),
                List.of(ap("127.0.0.1:41641"), ap("192.168.1.5:41641"), ap("203.0.113.5:41641")), 41641);
        assertEquals(List.of(ep("203.0.113.5:41000", Endpoint.Type.STUN),
                ep("203.0.113.5:41641", Endpoint.Type.STUN4_LOCAL_PORT), ep("[2001:db8::5]:41641", Endpoint.Type.STUN),
                ep("192.168.1.5:41641", Endpoint.Type.LOCAL)), eps, "hard NAT adds STUN IP + local port; dupes once");
        assertEquals(List.of(ep("127.0.0.1:41641", Endpoint.Type.LOCAL)), OwnEndpoints.determine(Optional.empty(),
                false, Optional.empty(), List.of(ap("127.0.0.1:41641")), 41641));
    }

    @Test
    void onLoopbackTheStunAnswerIsTheSocketItselfAndStaysAStunEndpoint() {
        assertEquals(List.of(ep("127.0.0.1:41641", Endpoint.Type.STUN)), OwnEndpoints.determine(
                Optional.of(ap("127.0.0.1:41641")), false, Optional.empty(), List.of(ap("127.0.0.1:41641")), 41641));
    }

    @Test
    void withoutHardNatTheLocalPortGuessIsLeftOut() {
        assertEquals(List.of(ep("198.51.100.7:62000", Endpoint.Type.STUN), ep("10.0.0.2:41641", Endpoint.Type.LOCAL)),
                OwnEndpoints.determine(Optional.of(ap("198.51.100.7:62000")), false, Optional.empty(),
                        List.of(ap("10.0.0.2:41641")), 41641));
    }

    @Test
    void callMeMaybeWaitsForAFreshStunWhenEndpointsAreOlderThan27Seconds() {
        OwnEndpoints own = new OwnEndpoints(false);
        own.provisional(List.of(ep("10.0.0.2:41641", Endpoint.Type.LOCAL)));
        assertEquals(List.of(ap("10.0.0.2:41641")), own.endpoints(), "published before the first STUN");
        assertTrue(own.callMeMaybe(PEER, VIA, 0).isEmpty(), "never STUNed: re-STUN first");
        List<OwnEndpoints.CallMeMaybe> due = own.update(List.of(ep("203.0.113.5:41641", Endpoint.Type.STUN)), S);
        assertEquals(List.of(new OwnEndpoints.CallMeMaybe(PEER, VIA, List.of(ap("203.0.113.5:41641")))), due);
        assertTrue(own.callMeMaybe(PEER, VIA, 27 * S).isPresent(), "26 s old: fresh enough");
        assertTrue(own.callMeMaybe(PEER, VIA, 28 * S).isEmpty(), "27 s old: stale");
        own.forget(PEER);
        assertEquals(List.of(), own.update(List.of(), 29 * S));
    }

    @Test
    void relayOnlyAlwaysSendsAnEmptyCallMeMaybeAtOnce() {
        OwnEndpoints own = new OwnEndpoints(true);
        own.update(List.of(ep("203.0.113.5:41641", Endpoint.Type.STUN)), 0);
        assertEquals(Optional.of(new OwnEndpoints.CallMeMaybe(PEER, VIA, List.of())), own.callMeMaybe(PEER, VIA, 100 * S));
        assertEquals(List.of(), own.endpoints());
    }
}
