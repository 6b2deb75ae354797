package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodeKey;
import dev.switchboard.tailnet.disco.DiscoKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.LongSupplier;

import static dev.switchboard.tailnet.magicsock.AddrPortsTest.ap;
import static org.junit.jupiter.api.Assertions.*;

/** Deterministic scenarios for one peer's path state machine, on a fake clock (nanos). */
class PathEndpointTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1000 * MS;
    private static final DerpMagicAddress DERP = new DerpMagicAddress(7);
    private static final InetSocketAddress PUBLIC = ap("203.0.113.10:41641");
    private static final InetSocketAddress LAN = ap("192.168.1.20:41641");

    /** The injected clock: nanos, moved only by the test. */
    static final class FakeClock implements LongSupplier {
        long now;

        FakeClock(long start) {
            now = start;
        }

        long advance(long nanos) {
            return now += nanos;
        }

        @Override
        public long getAsLong() {
            return now;
        }
    }

    private FakeClock clock;
    private PathEndpoint ep;

    private static byte[] fill(int b) {
        byte[] a = new byte[32];
        Arrays.fill(a, (byte) b);
        return a;
    }

    private static PathEndpoint peer(boolean blockEndpoints) {
        return new PathEndpoint(NodeKey.of(fill(1)), new Random(42), blockEndpoints);
    }

    @BeforeEach
    void setUp() {
        clock = new FakeClock(1_000 * S);
        ep = peer(false);
        ep.updateFromNode(DiscoKey.of(fill(2)), DERP, List.of(PUBLIC, LAN), clock.now);
    }

    private static List<InetSocketAddress> targets(List<PingRequest> pings) {
        return pings.stream().map(PingRequest::to).toList();
    }

    private static PingRequest to(List<PingRequest> pings, InetSocketAddress addr) {
        return pings.stream().filter(p -> p.to().equals(addr)).findFirst()
                .orElseThrow(() -> new AssertionError("no ping to " + addr + " in " + pings));
    }

    /** Answers the ping to {@code addr} after {@code latency}, as the peer would (pong from the pinged address). */
    private PongOutcome.Accepted pong(List<PingRequest> pings, InetSocketAddress addr, long latency) {
        clock.advance(latency);
        return assertInstanceOf(PongOutcome.Accepted.class, ep.onPong(to(pings, addr).txId(), addr, clock.now));
    }

    /** Brings the peer to "direct via PUBLIC at {@code latency}, trusted". */
    private void goDirect(long latency) {
        List<PingRequest> pings = ep.onSend(clock.now).round().pings();
        pong(pings, PUBLIC, latency);
        assertTrue(ep.sendTargets(clock.now).udpOnly());
    }

    @Test
    void startsOnDerpAndStartsDiscovery() {
        assertEquals(new SendTargets(null, DERP), ep.sendTargets(clock.now));
        SendPlan plan = ep.onSend(clock.now);
        assertTrue(plan.targets().derpOnly());
        assertEquals(List.of(PUBLIC, LAN), targets(plan.round().pings()));
        assertTrue(plan.round().pings().stream().allMatch(p -> p.purpose() == PingPurpose.DISCOVERY));
        assertEquals(DERP, plan.round().callMeMaybeVia(), "pings go with a CallMeMaybe via the peer's DERP");
        assertTrue(plan.startHeartbeat());

        clock.advance(1 * S);
        SendPlan again = ep.onSend(clock.now);
        assertTrue(again.round().isEmpty(), "discoPingInterval: no re-ping within 5 s, so no CallMeMaybe either");
        assertFalse(again.startHeartbeat(), "already scheduled");
    }

    @Test
    void pingAndPongSwitchToDirectAndTrustLastsSixAndAHalfSeconds() {
        PathEndpoint identity = ep;
        List<PingRequest> pings = ep.onSend(clock.now).round().pings();
        PongOutcome.Accepted ok = pong(pings, PUBLIC, 20 * MS);
        assertEquals(new PathChange(null, new AddrLatency(PUBLIC, 20 * MS)), ok.change());
        assertTrue(ok.tieSource(), "the pong source must be tied to the peer's node key");
        long pongAt = clock.now;

        SendPlan next = ep.onSend(clock.now);
        assertEquals(new SendTargets(PUBLIC, null), next.targets(), "trusted: UDP only");
        assertTrue(next.round().isEmpty(), "trusted: no discovery");
        assertSame(identity, ep, "the WireGuard endpoint object never changes with its path");

        clock.now = pongAt + 6500 * MS;
        assertTrue(ep.sendTargets(clock.now).udpOnly(), "trusted up to and including trustBestAddrUntil");
        clock.now += 1;
        assertEquals(new SendTargets(PUBLIC, DERP), ep.sendTargets(clock.now), "untrusted: bestAddr and DERP");
    }

    @Test
    void trustExpiryWithoutPongsSendsBothThenDerpOnceThePathIsGone() {
        InetSocketAddress roamed = ap("198.51.100.9:62000");
        assertEquals(PingAction.REPLY, ep.onPing(roamed, TxId.random(new Random(1)), clock.now));
        List<PingRequest> pings = ep.onSend(clock.now).round().pings();
        assertTrue(targets(pings).contains(roamed), "a ping source becomes a candidate");
        pong(pings, roamed, 30 * MS);
        assertTrue(ep.sendTargets(clock.now).udpOnly());

        // The peer goes silent: heartbeat pings are never answered, and the earlier pongs' pings time out.
        for (int i = 0; i < 3; i++) {
            clock.advance(3 * S);
            ep.onSend(clock.now);
            ep.heartbeat(clock.now);
        }
        assertEquals(new SendTargets(roamed, DERP), ep.sendTargets(clock.now),
                "ping timeouts never clear bestAddr (v1.36.2 and fork): UDP and DERP both");
        assertTrue(ep.bestAddr().isPresent());

        // 45 s after its last ping a ping-learned candidate expires; the next full round drops it, and bestAddr too.
        for (int i = 0; i < 14; i++) {
            clock.advance(3 * S);
            ep.onSend(clock.now);
            ep.heartbeat(clock.now);
        }
        assertEquals(new SendTargets(null, DERP), ep.sendTargets(clock.now));
        assertFalse(ep.candidates().contains(roamed));
    }

    /**
     * Runs heartbeats every 3 s for {@code seconds}, with a send before each (an active session), answering the
     * heartbeat ping to {@code bestAddr} after {@code latency}. Returns the discovery pings the heartbeats asked for.
     */
    private List<PingRequest> activeFor(int seconds, long latency) {
        List<PingRequest> discovery = new ArrayList<>();
        for (int t = 0; t < seconds; t += 3) {
            clock.advance(3 * S - latency);
            ep.onSend(clock.now);
            HeartbeatPlan hb = ep.heartbeat(clock.now);
            assertTrue(hb.reschedule());
            hb.round().pings().stream().filter(p -> p.purpose() == PingPurpose.DISCOVERY).forEach(discovery::add);
            PingRequest beat = hb.round().pings().stream().filter(p -> p.purpose() == PingPurpose.HEARTBEAT)
                    .findFirst().orElseThrow();
            assertEquals(ep.bestAddr().orElseThrow().addr(), beat.to(), "the heartbeat pings bestAddr");
            pong(List.of(beat), beat.to(), latency);
        }
        return discovery;
    }

    @Test
    void upgradeProbingFindsALaterBetterAddressAfterAMinute() {
        goDirect(50 * MS); // LAN's first ping goes unanswered
        List<PingRequest> early = activeFor(57, 50 * MS);
        assertEquals(List.of(), early, "a trusted path is not re-probed within upgradeInterval");
        clock.advance(3 * S);
        ep.onSend(clock.now);
        List<PingRequest> upgrade = ep.heartbeat(clock.now).round().pings();
        assertEquals(List.of(PUBLIC, LAN), targets(upgrade), "after 1 min: heartbeat plus a full round to the rest");
        assertEquals(PingPurpose.DISCOVERY, to(upgrade, LAN).purpose());

        PongOutcome.Accepted better = pong(upgrade, LAN, 10 * MS);
        assertEquals(LAN, better.change().to().addr());
        assertEquals(PUBLIC, better.change().from().addr());
        assertEquals(new SendTargets(LAN, null), ep.sendTargets(clock.now));
    }

    @Test
    void noUpgradeProbingWhenTheLatencyIsGoodEnough() {
        goDirect(5 * MS);
        assertEquals(List.of(), activeFor(200, 5 * MS), "≤ goodEnoughLatency: never re-probed while trusted");
        assertEquals(PUBLIC, ep.bestAddr().orElseThrow().addr());
    }

    @Test
    void samePathPongsUpdateLatencyWithoutAChange() {
        goDirect(40 * MS);
        HeartbeatPlan hb = ep.heartbeat(clock.advance(3 * S));
        PongOutcome.Accepted ok = pong(hb.round().pings(), PUBLIC, 70 * MS);
        assertNull(ok.change());
        assertEquals(70 * MS, ep.bestAddr().orElseThrow().latencyNanos());
    }

    @Test
    void aPongIsMatchedOnceAndNotAfterTheTimeout() {
        List<PingRequest> pings = ep.onSend(clock.now).round().pings();
        TxId lan = to(pings, LAN).txId();
        assertInstanceOf(PongOutcome.Accepted.class, ep.onPong(to(pings, PUBLIC).txId(), PUBLIC, clock.now));
        assertInstanceOf(PongOutcome.NotOurs.class, ep.onPong(to(pings, PUBLIC).txId(), PUBLIC, clock.now));
        clock.advance(5 * S);
        assertInstanceOf(PongOutcome.NotOurs.class, ep.onPong(lan, LAN, clock.now), "pingTimeoutDuration");
        assertEquals(PUBLIC, ep.bestAddr().orElseThrow().addr());
        assertInstanceOf(PongOutcome.NotOurs.class, ep.onPong(TxId.random(new Random(9)), PUBLIC, clock.now));
    }

    @Test
    void callMeMaybePingsAllItsEndpointsAtOnceWithoutCallingBack() {
        ep.onSend(clock.now); // everything pinged just now
        InetSocketAddress v6 = ap("[2001:db8::5]:41641");
        InetSocketAddress linkLocal = ap("[fe80::1]:41641");
        clock.advance(1 * S);
        PingRound round = ep.onCallMeMaybe(List.of(PUBLIC, v6, linkLocal), clock.now);
        assertEquals(List.of(PUBLIC, LAN, v6), targets(round.pings()),
                "lastPing reset: every candidate again despite discoPingInterval; link-local skipped");
        assertNull(round.callMeMaybeVia(), "never a CallMeMaybe in answer to one");

        clock.advance(1 * S);
        PingRound second = ep.onCallMeMaybe(List.of(PUBLIC), clock.now);
        assertEquals(List.of(PUBLIC, LAN), targets(second.pings()), "v6 was only advertised by CallMeMaybe: forgotten");
        ep.onCallMeMaybe(List.of(), clock.now);
        assertEquals(List.of(LAN), ep.candidates(), "an empty list clears CallMeMaybe endpoints, netmap ones too");
    }

    @Test
    void relayOnlyNeverLeavesDerpAndNeverPings() {
        ep = peer(true);
        ep.updateFromNode(DiscoKey.of(fill(2)), DERP, List.of(PUBLIC, LAN), clock.now);
        assertEquals(List.of(), ep.candidates(), "Node.endpoints stripped");
        for (int i = 0; i < 30; i++) {
            SendPlan plan = ep.onSend(clock.now);
            assertEquals(new SendTargets(null, DERP), plan.targets());
            assertTrue(plan.round().isEmpty(), "no pings, no CallMeMaybe");
            assertTrue(ep.heartbeat(clock.now).round().isEmpty());
            assertTrue(ep.onCallMeMaybe(List.of(PUBLIC), clock.now).isEmpty(), "CallMeMaybe ignored");
            assertEquals(PingAction.IGNORE, ep.onPing(PUBLIC, TxId.random(new Random(i)), clock.now), "UDP disco ignored");
            assertEquals(PingAction.REPLY, ep.onPing(DERP.toSocketAddress(), TxId.random(new Random(i)), clock.now),
                    "disco via DERP is still answered (coder ping)");
            clock.advance(3 * S);
        }
        assertEquals(List.of(), ep.candidates());
        assertEquals(0, ep.outstandingPings());
    }

    @Test
    void turningRelayOnlyOnDropsTheDirectPathAndAsksForAnEmptyCallMeMaybe() {
        goDirect(20 * MS);
        assertEquals(java.util.Optional.of(DERP), ep.setBlockEndpoints(true));
        assertEquals(new SendTargets(null, DERP), ep.sendTargets(clock.now));
        assertTrue(ep.onSend(clock.now).round().isEmpty());
        assertEquals(java.util.Optional.empty(), ep.setBlockEndpoints(true), "only on the transition");
    }

    @Test
    void candidateAndPingTablesStayBoundedUnderAFlood() {
        goDirect(20 * MS);
        Random r = new Random(7);
        for (int port = 1; port <= 10_000; port++) {
            ep.onPing(ap("198.51.100.77:" + port), TxId.random(r), clock.now);
        }
        assertEquals(MagicsockConstants.MAX_CANDIDATES, ep.candidates().size());
        assertTrue(ep.candidates().containsAll(List.of(PUBLIC, LAN)), "netmap entries are never evicted for ping sources");
        assertEquals(PUBLIC, ep.bestAddr().orElseThrow().addr(), "bestAddr survives the flood");

        List<InetSocketAddress> many = new ArrayList<>();
        for (int port = 1; port <= 5_000; port++) {
            many.add(ap("203.0.113.99:" + port));
        }
        for (int i = 0; i < 20; i++) {
            ep.onCallMeMaybe(many, clock.now); // each one re-pings every candidate
        }
        assertTrue(ep.candidates().size() <= MagicsockConstants.MAX_CANDIDATES);
        assertTrue(ep.outstandingPings() <= MagicsockConstants.MAX_SENT_PINGS, "outstanding " + ep.outstandingPings());
        clock.advance(5 * S);
        ep.onPong(TxId.random(r), PUBLIC, clock.now);
        assertEquals(0, ep.outstandingPings(), "all timed out");
    }

    @Test
    void heartbeatStopsAfterFortyFiveIdleSecondsAndRestartsOnTheNextSend() {
        long sentAt = clock.now;
        assertTrue(ep.onSend(clock.now).startHeartbeat());
        for (int t = 3; t <= 45; t += 3) {
            clock.now = sentAt + t * S;
            assertTrue(ep.heartbeat(clock.now).reschedule(), "at " + t + " s");
        }
        clock.now = sentAt + 48 * S;
        HeartbeatPlan last = ep.heartbeat(clock.now);
        assertFalse(last.reschedule(), "idle > sessionActiveTimeout");
        assertTrue(last.round().isEmpty());
        assertTrue(ep.onSend(clock.now).startHeartbeat(), "a new send restarts the timer");
    }

    @Test
    void aChangedDiscoKeyResetsToDerp() {
        goDirect(20 * MS);
        ep.updateFromNode(DiscoKey.of(fill(2)), DERP, List.of(PUBLIC, LAN), clock.now);
        assertTrue(ep.sendTargets(clock.now).udpOnly(), "same key: nothing changes");
        ep.updateFromNode(DiscoKey.of(fill(3)), DERP, List.of(PUBLIC, LAN), clock.now);
        assertEquals(new SendTargets(null, DERP), ep.sendTargets(clock.now), "the peer restarted");
        assertEquals(0, ep.outstandingPings());
        assertEquals(List.of(PUBLIC, LAN), targets(ep.onSend(clock.now).round().pings()), "all due again");
    }

    @Test
    void aNetmapUpdateThatDropsBestAddrFallsBackToDerp() {
        goDirect(20 * MS);
        ep.updateFromNode(DiscoKey.of(fill(2)), DERP, List.of(LAN), clock.now);
        assertEquals(new SendTargets(null, DERP), ep.sendTargets(clock.now));
        assertEquals(List.of(LAN), ep.candidates());
    }

    @Test
    void noDiscoKeyMeansNoPings() {
        ep = peer(false);
        ep.updateFromNode(null, DERP, List.of(PUBLIC), clock.now);
        SendPlan plan = ep.onSend(clock.now);
        assertTrue(plan.targets().derpOnly());
        assertTrue(plan.round().isEmpty());
    }

    @Test
    void theClockMayWrapAround() {
        clock = new FakeClock(Long.MAX_VALUE - 2 * S);
        ep = peer(false);
        ep.updateFromNode(DiscoKey.of(fill(2)), DERP, List.of(PUBLIC), clock.now);
        goDirect(20 * MS);
        clock.advance(5 * S); // past Long.MAX_VALUE
        assertTrue(ep.sendTargets(clock.now).udpOnly(), "still within trust across the wrap");
        clock.advance(2 * S);
        assertEquals(new SendTargets(PUBLIC, DERP), ep.sendTargets(clock.now));
        assertTrue(ep.heartbeat(clock.now).reschedule());
    }

    @Test
    void cliPingGoesViaDerpAndEveryCandidateUntilTheBestAddrIsTrusted() {
        InetSocketAddress derp = DERP.toSocketAddress();
        SendPlan first = ep.cliPing(clock.now);
        assertEquals(List.of(derp, PUBLIC, LAN), targets(first.round().pings()));
        assertTrue(first.round().pings().stream().allMatch(p -> p.purpose() == PingPurpose.CLI));
        assertTrue(first.startHeartbeat(), "a CLI ping makes the session active");
        clock.advance(40 * MS);
        var viaDerp = assertInstanceOf(PongOutcome.Accepted.class, ep.onPong(to(first.round().pings(), derp).txId(), derp,
                clock.now));
        assertEquals(40 * MS, viaDerp.latencyNanos());
        assertNull(viaDerp.change(), "a DERP pong never becomes bestAddr");
        assertFalse(viaDerp.tieSource());

        pong(first.round().pings(), PUBLIC, 0);
        assertEquals(List.of(PUBLIC), targets(ep.cliPing(clock.now).round().pings()), "trusted: only the path in use");

        ep = peer(true);
        ep.updateFromNode(DiscoKey.of(fill(2)), DERP, List.of(PUBLIC), clock.now);
        assertEquals(List.of(derp), targets(ep.cliPing(clock.now).round().pings()), "relay-only: coder ping via DERP");
    }
}
