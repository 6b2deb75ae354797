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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        }
    }

}
