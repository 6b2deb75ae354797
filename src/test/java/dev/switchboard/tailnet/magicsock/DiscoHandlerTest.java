package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodeKey;
import dev.switchboard.tailnet.disco.DiscoKey;
import dev.switchboard.tailnet.disco.DiscoMessage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static dev.switchboard.tailnet.magicsock.AddrPortsTest.ap;
import static org.junit.jupiter.api.Assertions.*;

/** Disco dispatch over a {@link PeerMap}: replies, ties and path changes. */
class DiscoHandlerTest {
    private static final long MS = 1_000_000L;
    private static final NodeKey A = NodeKey.of(fill(1));
    private static final NodeKey B = NodeKey.of(fill(3));
    private static final DiscoKey DISCO_A = DiscoKey.of(fill(2));
    private static final DerpMagicAddress DERP = new DerpMagicAddress(7);
    private static final InetSocketAddress SRC = ap("203.0.113.10:41641");

    private final PeerMap peers = new PeerMap();
    private final DiscoHandler handler = new DiscoHandler(peers);
    private PathEndpoint a;
    private long now = 5_000_000_000L;

    private static byte[] fill(int b) {
        byte[] x = new byte[32];
        Arrays.fill(x, (byte) b);
        return x;
    }

    private static byte[] tx(int b) {
        byte[] t = new byte[12];
        Arrays.fill(t, (byte) b);
        return t;
    }

    private PathEndpoint peer(NodeKey key, DiscoKey disco, boolean block) {
        PathEndpoint ep = new PathEndpoint(key, new Random(3), block);
        ep.updateFromNode(disco, DERP, List.of(SRC), now);
        peers.upsert(ep);
        return ep;
    }

    @BeforeEach
    void setUp() {
        a = peer(A, DISCO_A, false);
    }

    private List<DiscoHandler.Action> udp(DiscoMessage m) {
        return handler.handle(new DiscoDemux.Route.Disco(DISCO_A, m, SRC, null), now);
    }

    @Test
    void aUdpPingIsAnsweredOverUdpAndTiesItsSource() {
        List<DiscoHandler.Action> out = udp(new DiscoMessage.Ping(tx(1), A));
        assertEquals(List.of(new DiscoHandler.Action.SendPong(SRC, null, DISCO_A, TxId.of(tx(1)), SRC)), out);
        assertSame(a, peers.endpointForIpPort(SRC).orElseThrow(), "WireGuard from SRC is now accepted as A's");
        assertEquals(List.of(), udp(new DiscoMessage.Ping(tx(1), A)), "the same ping twice is answered once");
    }

    @Test
    void anAmbiguousUdpPingIsAnsweredButNotTied() {
        peer(B, DISCO_A, false); // two peers share a disco key; the old client sent no node key
        assertEquals(1, udp(new DiscoMessage.Ping(tx(2), null)).size());
        assertTrue(peers.endpointForIpPort(SRC).isEmpty());
        udp(new DiscoMessage.Ping(tx(3), B));
        assertEquals(B, peers.endpointForIpPort(SRC).orElseThrow().publicKey(), "Ping.NodeKey disambiguates");
    }

    @Test
    void aDerpPingIsAnsweredViaDerpToTheSourceKeyOnly() {
        InetSocketAddress viaDerp = DERP.toSocketAddress();
        var ok = handler.handle(new DiscoDemux.Route.Disco(DISCO_A, new DiscoMessage.Ping(tx(4), A), viaDerp, A), now);
        assertEquals(List.of(new DiscoHandler.Action.SendPong(viaDerp, A, DISCO_A, TxId.of(tx(4)), viaDerp)), ok);
        var wrong = handler.handle(new DiscoDemux.Route.Disco(DISCO_A, new DiscoMessage.Ping(tx(5), A), viaDerp, B), now);
        assertEquals(List.of(), wrong, "the DERP source must own the sender disco key");
    }

    @Test
    void aPongSwitchesThePathAndTiesTheSource() {
        PingRequest ping = a.onSend(now).round().pings().getFirst();
        now += 12 * MS;
        var out = udp(new DiscoMessage.Pong(ping.txId().toBytes(), ap("198.51.100.1:5")));
        var changed = assertInstanceOf(DiscoHandler.Action.PathChanged.class, out.getFirst());
        assertEquals(new PathChange(null, new AddrLatency(SRC, 12 * MS)), changed.change());
        assertSame(a, peers.endpointForIpPort(SRC).orElseThrow());
        assertEquals(List.of(), udp(new DiscoMessage.Pong(ping.txId().toBytes(), SRC)), "TxID used up");
    }

    @Test
    void callMeMaybeViaDerpPingsThePeersCandidates() {
        var out = handler.handle(new DiscoDemux.Route.Disco(DISCO_A,
                new DiscoMessage.CallMeMaybe(List.of(ap("198.51.100.2:9"))), DERP.toSocketAddress(), A), now);
        var pings = assertInstanceOf(DiscoHandler.Action.SendPings.class, out.getFirst());
        assertSame(a, pings.peer());
        assertEquals(List.of(SRC, ap("198.51.100.2:9")), pings.round().pings().stream().map(PingRequest::to).toList());
        assertNull(pings.round().callMeMaybeVia());
    }

    @Test
    void relayOnlyPeersIgnoreUdpDisco() {
        PeerMap only = new PeerMap();
        PathEndpoint blocked = new PathEndpoint(A, new Random(3), true);
        blocked.updateFromNode(DISCO_A, DERP, List.of(SRC), now);
        only.upsert(blocked);
        var out = new DiscoHandler(only).handle(new DiscoDemux.Route.Disco(DISCO_A, new DiscoMessage.Ping(tx(6), A), SRC,
                null), now);
        assertEquals(List.of(), out);
        assertTrue(only.endpointForIpPort(SRC).isEmpty());
    }

    @Test
    void peerMapReindexesDiscoKeysAndForgetsDeletedPeers() {
        assertTrue(peers.hasDiscoKey(DISCO_A));
        DiscoKey next = DiscoKey.of(fill(9));
        a.updateFromNode(next, DERP, List.of(SRC), now);
        peers.upsert(a);
        assertFalse(peers.hasDiscoKey(DISCO_A), "the old disco key no longer reaches anyone");
        assertEquals(List.of(a), peers.endpointsWithDiscoKey(next));
        peers.setNodeKeyForIpPort(SRC, A);
        peers.delete(A);
        assertTrue(peers.endpointForIpPort(SRC).isEmpty());
        assertFalse(peers.hasDiscoKey(next));
        assertEquals(0, peers.size());
    }

    @Test
    void tiesPerPeerAreBounded() {
        for (int port = 1; port <= 1000; port++) {
            peers.setNodeKeyForIpPort(ap("198.51.100.3:" + port), A);
        }
        assertTrue(peers.endpointForIpPort(ap("198.51.100.3:1")).isEmpty(), "oldest tie dropped");
        assertSame(a, peers.endpointForIpPort(ap("198.51.100.3:1000")).orElseThrow());
        assertTrue(peers.endpointForIpPort(DERP.toSocketAddress()).isEmpty());
    }
}
