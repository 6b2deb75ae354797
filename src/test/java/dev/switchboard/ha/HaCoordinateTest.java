package dev.switchboard.ha;

import dev.switchboard.auth.Role;
import dev.switchboard.auth.TokenService;
import dev.switchboard.coordinator.Authorizations;
import dev.switchboard.coordinator.Peer;
import dev.switchboard.coordinator.TailnetAddresses;
import dev.switchboard.coordinator.client.CoordinatorClientOptions.Target;
import dev.switchboard.coordinator.client.CoordinatorEvent.PeerChange;
import dev.switchboard.coordinator.proto.CoordinateResponse.PeerUpdate;
import dev.switchboard.coordinator.proto.Node;
import dev.switchboard.ha.CoordinatorReplicas.Recorder;
import dev.switchboard.testing.CoordinatorTestPeer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static dev.switchboard.ha.CoordinatorReplicas.addTunnel;
import static dev.switchboard.ha.CoordinatorReplicas.node;
import static dev.switchboard.ha.CoordinatorReplicas.updateSelf;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The real coordinate endpoint on a server with a database: an agent on its WebSocket and a client on a second
 * coordinator replica (same database, its own Vert.x and pool) exchange nodes and READY_FOR_HANDSHAKE, and the
 * agent's dropped WebSocket is LOST to the client. The routes are unchanged: they do not know the coordinator is shared.
 */
@QuarkusTest
@TestProfile(HaServerTest.WithDatabase.class)
@EnabledIf("dev.switchboard.ha.TestDatabase#available")
class HaCoordinateTest {
    @TestHTTPResource("/")
    URL root;

    @Inject
    TokenService tokens;

    @Inject
    Vertx vertx;

    @Test
    void anAgentOnTheServerAndAClientOnAnotherReplicaCoordinate() throws Exception {
        UUID agentId = UUID.randomUUID();
        UUID clientId = UUID.randomUUID();
        Node agentNode = Node.newBuilder().setId(1).setPreferredDerp(999)
                .addAddresses(TailnetAddresses.agentAddress(agentId)).build();
        try (CoordinatorReplicas replicas = new CoordinatorReplicas(HaServerTest.Resource.database)) {
            CoordinatorReplicas.Member other = replicas.start(PgCoordinatorTest.FAST);
            Recorder clientStream = new Recorder();
            try (CoordinatorTestPeer agent = CoordinatorTestPeer.connect(vertx, root.getPort(),
                    tokens.mint(agentId, Role.AGENT, List.of(), Duration.ofHours(1)), Target.agent())) {
                agent.client().updateSelf(agentNode);
                Peer client = other.connect(clientId, Authorizations.client(agentId), clientStream);
                other.coordinator.handle(client, updateSelf(node(2)));
                other.coordinator.handle(client, addTunnel(agentId));

                PeerChange seen = agent.nextPeerChange();
                assertEquals(clientId, seen.peer());
                assertEquals(node(2), seen.node());
                await().atMost(Duration.ofSeconds(10)).until(() -> clientStream.hasNode(agentId, 1));
                agent.client().readyForHandshake(List.of(clientId));
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> clientStream.got(agentId, PeerUpdate.Kind.READY_FOR_HANDSHAKE));
            }
            await("the agent's closed stream is LOST there").atMost(Duration.ofSeconds(10))
                    .until(() -> clientStream.got(agentId, PeerUpdate.Kind.LOST));
        }
    }
}
