package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodeKey;
import dev.switchboard.tailnet.disco.DiscoCodec;
import dev.switchboard.tailnet.disco.DiscoKey;
import dev.switchboard.tailnet.disco.DiscoMessage;
import dev.switchboard.tailnet.disco.DiscoPrivateKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

import static dev.switchboard.tailnet.magicsock.AddrPortsTest.ap;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Two peers wired through the whole pure core (real disco crypto, {@link DiscoDemux}, {@link DiscoHandler},
 * {@link PathEndpoint}) over a simulated network: DERP always works (40 ms), direct UDP takes 10 ms unless a
 * firewall drops it. Both peers send WireGuard every 500 ms. Event-driven on a fake clock, so fully deterministic.
 */
class TwoPeerSimulationTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1000 * MS;
    private static final DerpMagicAddress DERP = new DerpMagicAddress(1);

    private record Event(long at, long seq, Runnable run) {
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>((x, y) -> x.at != y.at ? Long.compare(x.at, y.at)
            : Long.compare(x.seq, y.seq));
    private long now = 0;
    private long seq;
    private boolean udpBlocked;
    private Side a;
    private Side b;

    private void at(long when, Runnable r) {
        queue.add(new Event(when, seq++, r));
    }

    private void runUntil(long end) {
        while (!queue.isEmpty() && queue.peek().at <= end) {
            Event e = queue.poll();
            now = e.at;
            e.run.run();
        }
        now = end;
    }

    private static byte[] fill(int v) {
        byte[] x = new byte[32];
        Arrays.fill(x, (byte) v);
        return x;
    }

    private final class Side {
        final DiscoPrivateKey disco;
        final NodeKey nodeKey;
        final InetSocketAddress udp;
        final PeerMap peers = new PeerMap();
        final DiscoDemux demux;
        final DiscoHandler handler = new DiscoHandler(peers);
        PathEndpoint toPeer;
        Side other;
        int wireGuardViaUdp;
        int wireGuardViaDerp;

        Side(int seed, String udp) {
            disco = DiscoPrivateKey.of(fill(seed));
            nodeKey = NodeKey.of(fill(seed + 100));
            this.udp = ap(udp);
            demux = new DiscoDemux(disco, peers);
        }

        void meet(Side peer) {
            other = peer;
            toPeer = new PathEndpoint(peer.nodeKey, new Random(nodeKey.hashCode()), false);
            toPeer.updateFromNode(peer.disco.publicKey(), DERP, List.of(peer.udp), now);
            peers.upsert(toPeer);
        }

        void sendWireGuard() {
            SendPlan plan = toPeer.onSend(now);
            byte[] data = new byte[32];
            data[0] = 4; // a transport message
            if (plan.targets().udp() != null) {
                udpTo(plan.targets().udp(), data);
            }
            if (plan.targets().derp() != null) {
                derpTo(data);
            }
            sendRound(plan.round());
            if (plan.startHeartbeat()) {
                at(now + MagicsockConstants.HEARTBEAT_INTERVAL.toNanos(), this::heartbeat);
            }
            at(now + 500 * MS, this::sendWireGuard);
        }

        void heartbeat() {
            HeartbeatPlan hb = toPeer.heartbeat(now);
            sendRound(hb.round());
            if (hb.reschedule()) {
                at(now + MagicsockConstants.HEARTBEAT_INTERVAL.toNanos(), this::heartbeat);
            }
        }

        void sendRound(PingRound round) {
            DiscoKey peerDisco = toPeer.discoKey().orElseThrow();
            for (PingRequest p : round.pings()) {
                byte[] sealed = DiscoCodec.seal(new DiscoMessage.Ping(p.txId().toBytes(), nodeKey), disco, peerDisco);
                if (DerpMagicAddress.isDerp(p.to())) {
                    derpTo(sealed);
                } else {
                    udpTo(p.to(), sealed);
                }
            }
            if (round.callMeMaybeVia() != null) {
                derpTo(DiscoCodec.seal(new DiscoMessage.CallMeMaybe(List.of(udp)), disco, peerDisco));
            }
        }

        void udpTo(InetSocketAddress dst, byte[] packet) {
            if (udpBlocked || !dst.equals(other.udp)) {
                return;
            }
            at(now + 10 * MS, () -> other.receive(other.demux.fromUdp(packet, udp)));
        }

        void derpTo(byte[] packet) {
            at(now + 40 * MS, () -> other.receive(other.demux.fromDerp(packet, DERP, nodeKey)));
        }

        void receive(DiscoDemux.Route route) {
            switch (route) {
                case DiscoDemux.Route.WireGuard wg when wg.udpFrom() != null -> {
                    if (peers.endpointForIpPort(wg.udpFrom()).isPresent()) {
                        wireGuardViaUdp++;
                    }
                }
                case DiscoDemux.Route.WireGuard wg -> wireGuardViaDerp++;
                case DiscoDemux.Route.Disco d -> {
                    for (DiscoHandler.Action action : handler.handle(d, now)) {
                        switch (action) {
                            case DiscoHandler.Action.SendPong p -> {
                                byte[] sealed = DiscoCodec.seal(new DiscoMessage.Pong(p.txId().toBytes(), p.observed()),
                                        disco, p.recipient());
                                if (DerpMagicAddress.isDerp(p.to())) {
                                    derpTo(sealed);
                                } else {
                                    udpTo(p.to(), sealed);
                                }
                            }
                            case DiscoHandler.Action.SendPings s -> sendRound(s.round());
                            case DiscoHandler.Action.PathChanged c -> { }
                        }
                    }
                }
                default -> fail("unexpected " + route);
            }
        }
    }

    @BeforeEach
    void setUp() {
        a = new Side(1, "203.0.113.1:41641");
        b = new Side(2, "198.51.100.2:41641");
        a.meet(b);
        b.meet(a);
        at(0, a::sendWireGuard);
        at(250 * MS, b::sendWireGuard);
    }

    @Test
    void bothSidesGoDirectWithinOneRoundTripAndStayThere() {
        assertTrue(a.toPeer.sendTargets(now).derpOnly(), "start: DERP");
        runUntil(100 * MS);
        assertEquals(new SendTargets(b.udp, null), a.toPeer.sendTargets(now), "one 20 ms UDP round trip later");
        runUntil(400 * MS);
        assertEquals(new SendTargets(a.udp, null), b.toPeer.sendTargets(now));
        assertEquals(10 * MS * 2, a.toPeer.bestAddr().orElseThrow().latencyNanos());

        int derpBefore = a.wireGuardViaDerp + b.wireGuardViaDerp;
        runUntil(120 * S);
        assertTrue(a.toPeer.sendTargets(now).udpOnly(), "heartbeats keep the path trusted");
        assertTrue(b.toPeer.sendTargets(now).udpOnly());
        assertEquals(derpBefore, a.wireGuardViaDerp + b.wireGuardViaDerp, "no data through DERP once direct");
        assertTrue(a.wireGuardViaUdp > 200, "UDP WireGuard is accepted: the pongs tied the sources");
    }

    @Test
    void aBlockedDirectPathFallsBackToDerpAndRecovers() {
        runUntil(10 * S);
        assertTrue(a.toPeer.sendTargets(now).udpOnly());

        udpBlocked = true;
        runUntil(now + 7 * S);
        assertEquals(new SendTargets(b.udp, DERP), a.toPeer.sendTargets(now), "trust lapsed: bestAddr and DERP");
        int viaDerp = b.wireGuardViaDerp;
        runUntil(now + 30 * S);
        assertTrue(b.wireGuardViaDerp > viaDerp + 50, "traffic keeps flowing through DERP");

        udpBlocked = false;
        runUntil(now + 6 * S); // the next full round (every heartbeat while untrusted, 5 s per candidate)
        assertTrue(a.toPeer.sendTargets(now).udpOnly(), "direct again");
        assertTrue(b.toPeer.sendTargets(now).udpOnly());
    }
}
