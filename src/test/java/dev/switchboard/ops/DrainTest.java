package dev.switchboard.ops;

import dev.switchboard.coordinator.Authorizations;
import dev.switchboard.coordinator.Coordinator;
import dev.switchboard.coordinator.Peer;
import dev.switchboard.coordinator.PeerStream;
import dev.switchboard.coordinator.proto.CoordinateRequest;
import dev.switchboard.coordinator.proto.CoordinateResponse;
import dev.switchboard.coordinator.proto.CoordinateResponse.PeerUpdate;
import dev.switchboard.coordinator.proto.Node;
import dev.switchboard.derp.client.DerpMessage;
import dev.switchboard.testing.TestClient;
import dev.switchboard.testing.TestRelay;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The drain order: refuse new, keep relaying; then Restarting + close; then coordinator peers LOST. */
class DrainTest {

    /** Records what the coordinator sent, in order. */
    static final class Recorder implements PeerStream {
        final List<String> events;
        final String who;

        Recorder(List<String> events, String who) {
            this.events = events;
            this.who = who;
        }

        @Override
        public synchronized boolean offer(CoordinateResponse response) {
            response.getPeerUpdatesList().forEach(u -> events.add(who + " " + u.getKind()));
            return true;
        }

        @Override
        public synchronized void close(String error) {
            events.add(who + " closed: " + error);
        }
    }

    @Test
    void drainRefusesNewConnectionsKeepsRelayingThenRestartsThenMarksPeersLost() throws Exception {
        List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
        Coordinator coordinator = new Coordinator(Clock.systemUTC());
        UUID agentId = UUID.randomUUID();
        Peer agent = coordinator.connect(agentId, "agent", Authorizations.singleTailnet(), new Recorder(events, "agent"));
        Peer client = coordinator.connect(UUID.randomUUID(), "client", Authorizations.singleTailnet(),
                new Recorder(events, "client"));
        coordinator.handle(agent, CoordinateRequest.newBuilder().setUpdateSelf(CoordinateRequest.UpdateSelf
                .newBuilder().setNode(Node.newBuilder().setId(1))).build());
        coordinator.handle(client, CoordinateRequest.newBuilder().setUpdateSelf(CoordinateRequest.UpdateSelf
                .newBuilder().setNode(Node.newBuilder().setId(2))).setAddTunnel(CoordinateRequest.Tunnel.newBuilder()
                .setId(dev.switchboard.coordinator.Uuids.bytes(agentId))).build());
        events.clear();

        try (TestRelay relay = TestRelay.start(); TestClient a = relay.connect(); TestClient b = relay.connect()) {
            Drain drain = new Drain(Optional.of(relay.server()), coordinator);

            drain.begin();
            assertTrue(drain.isDraining());
            AssertionError refused = assertThrows(AssertionError.class, relay::connect);
            assertTrue(refused.getMessage().contains("503"), refused.getMessage());
            a.send(b, "still relaying while draining");
            assertEquals("still relaying while draining", b.nextPacket().data().toString());
            assertTrue(events.isEmpty(), "coordinator untouched during the grace period");
            long waitStart = System.nanoTime();
            assertFalse(drain.awaitIdle(Duration.ofMillis(300)), "connected clients: the whole grace period");
            assertTrue(System.nanoTime() - waitStart >= Duration.ofMillis(300).toNanos());
            a.send(b, "still relaying after the grace period");
            assertEquals("still relaying after the grace period", b.nextPacket().data().toString());

            drain.finish();
            DerpMessage.Restarting restarting = a.next(DerpMessage.Restarting.class);
            assertEquals(Drain.RECONNECT_IN.toMillis(), restarting.reconnectInMillis());
            assertEquals(Drain.TRY_FOR.toMillis(), restarting.tryForMillis());
            // b may first hear that a (which sent to it) is gone: a was closed a moment earlier.
            DerpMessage first = b.next(DerpMessage.class);
            if (first instanceof DerpMessage.PeerGone) {
                b.next(DerpMessage.Restarting.class);
            } else {
                assertTrue(first instanceof DerpMessage.Restarting, first.toString());
            }
            TestRelay.await(a.client().closeFuture());
            TestRelay.await(b.client().closeFuture());
            assertEquals(0, relay.server().connectionCount());

            assertTrue(events.contains("agent LOST") || events.contains("client LOST"), events.toString());
            assertTrue(events.stream().noneMatch(e -> e.endsWith(PeerUpdate.Kind.DISCONNECTED.name())), events.toString());
            assertTrue(events.contains("agent closed: coordinator closed"), events.toString());

            // GracefulShutdown finishes in the pre-shutdown phase and again, as a fallback, at ShutdownEvent.
            int seen = events.size();
            drain.finish();
            assertEquals(seen, events.size(), "a second finish does nothing");
        }
    }

    @Test
    void anIdleServerEndsTheGracePeriodAtOnce() throws Exception {
        try (TestRelay relay = TestRelay.start()) {
            Drain drain = new Drain(Optional.of(relay.server()), new Coordinator(Clock.systemUTC()));
            drain.begin();
            long start = System.nanoTime();
            assertTrue(drain.awaitIdle(Duration.ofSeconds(15)));
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(1).toNanos(), "idle: no waiting");
        }
    }

    @Test
    void theGracePeriodEndsWhenTheLastClientLeaves() throws Exception {
        Coordinator coordinator = new Coordinator(Clock.systemUTC());
        Peer peer = coordinator.connect(UUID.randomUUID(), "agent", Authorizations.singleTailnet(),
                new Recorder(new ArrayList<>(), "agent"));
        try (TestRelay relay = TestRelay.start()) {
            TestClient client = relay.connect();
            Drain drain = new Drain(Optional.of(relay.server()), coordinator);
            drain.begin();
            assertFalse(drain.isIdle());
            client.close();
            assertFalse(drain.isIdle(), "a coordinator peer is still connected");
            coordinator.lost(peer);
            long start = System.nanoTime();
            assertTrue(drain.awaitIdle(Duration.ofSeconds(15)));
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
        }
    }

    /** A clock that only moves when the code under test sleeps. */
    static final class FakeTime extends Clock implements Drain.Sleeper {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        final List<Duration> sleeps = new ArrayList<>();

        @Override
        public void sleep(Duration duration) {
            sleeps.add(duration);
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void waitUntilStopsAsSoonAsDoneAndNeverPastTheDeadline() {
        FakeTime time = new FakeTime();
        Instant start = time.now;
        // Done on the fourth look: three polls.
        int[] looks = {0};
        assertTrue(Drain.waitUntil(() -> ++looks[0] == 4, Duration.ofSeconds(15), time, time));
        assertEquals(Duration.ofMillis(150), Duration.between(start, time.now));

        // Never done: exactly the limit, the last sleep cut short to end at the deadline.
        time.sleeps.clear();
        start = time.now;
        assertFalse(Drain.waitUntil(() -> false, Duration.ofMillis(120), time, time));
        assertEquals(Duration.ofMillis(120), Duration.between(start, time.now));
        assertEquals(List.of(Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofMillis(20)), time.sleeps);

        // A zero grace period: one look, no sleep.
        time.sleeps.clear();
        assertTrue(Drain.waitUntil(() -> true, Duration.ZERO, time, time));
        assertFalse(Drain.waitUntil(() -> false, Duration.ZERO, time, time));
        assertTrue(time.sleeps.isEmpty());
    }

    @Test
    void anInterruptedWaitEndsAndKeepsTheInterrupt() {
        Drain.Sleeper interrupted = d -> {
            throw new InterruptedException();
        };
        assertFalse(Drain.waitUntil(() -> false, Duration.ofSeconds(15), Clock.systemUTC(), interrupted));
        assertTrue(Thread.interrupted());
    }
}
