package dev.switchboard.coordinator;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** switchboard_coordinator_*: peers by kind, tunnels, requests, responses, overwrites and evictions. */
class CoordinatorMetricsTest {
    private static final UUID AGENT = UUID.fromString("3f1e6f1a-2b3c-4d5e-8f90-0123456789ab");
    private static final String AGENT_ADDRESS = "fd7a:115c:a1e0:4d5e:8f90:123:4567:89ab/128";

    private final Coordinator coordinator = new Coordinator(Clock.systemUTC());
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private double gauge(String name, String kind) {
        var search = registry.find(name);
        return (kind == null ? search : search.tag("kind", kind)).gauge().value();
    }

    private double counter(String name) {
        return registry.find(name).functionCounter().count();
    }

    @Test
    void countsPeersTunnelsAndEvents() throws Exception {
        CoordinatorMetrics.bind(coordinator, registry);
        UUID clientId = UUID.randomUUID();
        Peer agent = coordinator.connect(AGENT, "agent", Authorizations.agent(AGENT), new CoordinatorTest.Stream());
        Peer client = coordinator.connect(clientId, "client", Authorizations.client(AGENT),
                new CoordinatorTest.Stream());
        coordinator.handle(agent, CoordinatorTest.updateSelf(CoordinatorTest.node(1, AGENT_ADDRESS)));
        coordinator.handle(client, CoordinatorTest.addTunnel(AGENT));

        assertEquals(1, gauge("switchboard.coordinator.peers", "agent"));
        assertEquals(1, gauge("switchboard.coordinator.peers", "client"));
        assertEquals(1, gauge("switchboard.coordinator.tunnels", null));
        assertEquals(2, counter("switchboard.coordinator.requests"));
        assertTrue(counter("switchboard.coordinator.responses") >= 1, "the client got the agent's node");

        coordinator.connect(clientId, "client again", Authorizations.client(AGENT), new CoordinatorTest.Stream());
        assertEquals(1, counter("switchboard.coordinator.overwrites"));

        UUID slowId = UUID.randomUUID();
        Peer slow = coordinator.connect(slowId, "slow", Authorizations.client(AGENT), new CoordinatorTest.Stream(0));
        coordinator.handle(slow, CoordinatorTest.addTunnel(AGENT));
        assertEquals(1, counter("switchboard.coordinator.evictions"), "its full buffer could not take the node");
        assertEquals(1, gauge("switchboard.coordinator.peers", "client"));
    }
}
