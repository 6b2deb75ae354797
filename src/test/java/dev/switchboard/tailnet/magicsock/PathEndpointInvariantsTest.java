package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodeKey;
import dev.switchboard.tailnet.disco.DiscoKey;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Seeded random event sequences (sends, heartbeats, pings, pongs real and bogus, CallMeMaybes, netmap updates,
 * connectivity changes, relay-only toggles, clock jumps): nothing throws and the invariants hold after every step.
 */
class PathEndpointInvariantsTest {
    private static final long MS = 1_000_000L;

    private static InetSocketAddress addr(Random r) {
        return AddrPorts.of(AddrPortsTest.ap("198.51.100." + r.nextInt(4) + ":1").getAddress(), 1 + r.nextInt(300));
    }

    private static DiscoKey disco(int v) {
        byte[] x = new byte[32];
        Arrays.fill(x, (byte) v);
        return DiscoKey.of(x);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void randomHistoriesKeepTheInvariants(long seed) {
        Random r = new Random(seed);
        long now = r.nextLong();
        boolean blocked = r.nextBoolean();
        PathEndpoint ep = new PathEndpoint(NodeKey.of(new byte[32]), new Random(seed), blocked);
        ep.updateFromNode(disco(1), new DerpMagicAddress(1 + r.nextInt(5)), List.of(addr(r), addr(r)), now);
        List<PingRequest> outstanding = new ArrayList<>();
        int trustedSteps = 0;
        for (int step = 0; step < 5_000; step++) {
            now += r.nextInt(4) == 0 ? r.nextInt(20_000) * MS : r.nextInt(50) * MS;
            switch (r.nextInt(12)) {
                case 0, 1 -> outstanding.addAll(ep.onSend(now).round().pings());
                case 2 -> outstanding.addAll(ep.heartbeat(now).round().pings());
                case 3 -> ep.onPing(addr(r), TxId.random(r), now);
                case 4, 5 -> {
                    if (!outstanding.isEmpty()) {
                        PingRequest p = outstanding.remove(r.nextInt(outstanding.size()));
                        InetSocketAddress from = r.nextInt(5) == 0 ? addr(r) : p.to();
                        var out = ep.onPong(p.txId(), from, now);
                        if (out instanceof PongOutcome.Accepted a && a.change() != null) {
                            assertFalse(DerpMagicAddress.isDerp(a.change().to().addr()));
                        }
                    }
                }
                case 6 -> ep.onPong(TxId.random(r), addr(r), now);
                case 7 -> {
                    List<InetSocketAddress> eps = new ArrayList<>();
                    for (int i = r.nextInt(150); i > 0; i--) {
                        eps.add(addr(r));
                    }
                    outstanding.addAll(ep.onCallMeMaybe(eps, now).pings());
                }
                case 8 -> ep.updateFromNode(disco(1 + r.nextInt(2) * (r.nextInt(20) == 0 ? 1 : 0)),
                        new DerpMagicAddress(1 + r.nextInt(5)), List.of(addr(r), addr(r), addr(r)), now);
                case 9 -> ep.noteConnectivityChange();
                case 10 -> {
                    if (r.nextInt(50) == 0) {
                        blocked = !blocked;
                        ep.setBlockEndpoints(blocked);
                    }
                }
                default -> outstanding.addAll(ep.cliPing(now).round().pings());
            }
            if (outstanding.size() > 1000) {
                outstanding.subList(0, 500).clear();
            }
            SendTargets t = ep.sendTargets(now);
            assertTrue(ep.candidates().size() <= MagicsockConstants.MAX_CANDIDATES);
            assertTrue(ep.outstandingPings() <= MagicsockConstants.MAX_SENT_PINGS);
            assertEquals(ep.trusted(now), t.derp() == null, "DERP is dropped exactly while bestAddr is trusted");
            if (blocked) {
                assertTrue(t.derpOnly(), "relay-only never leaves DERP");
                assertEquals(List.of(), ep.candidates());
            }
            if (ep.trusted(now)) {
                trustedSteps++;
                assertEquals(ep.bestAddr().orElseThrow().addr(), t.udp());
            }
            ep.bestAddr().ifPresent(b -> assertTrue(ep.candidates().contains(b.addr()), "bestAddr is a candidate"));
        }
        assertTrue(trustedSteps > 0, "the history must reach a direct path, or the invariants prove little");
    }
}
