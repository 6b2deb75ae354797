package dev.switchboard.coordinator.client;

import dev.switchboard.auth.Role;
import dev.switchboard.auth.TokenRejection;
import dev.switchboard.auth.TokenService;
import dev.switchboard.coordinator.TailnetAddresses;
import dev.switchboard.coordinator.client.CoordinatorClientOptions.Target;
import dev.switchboard.coordinator.client.CoordinatorEvent.Closed;
import dev.switchboard.coordinator.client.CoordinatorEvent.ConnectionLost;
import dev.switchboard.coordinator.client.CoordinatorEvent.Connected;
import dev.switchboard.coordinator.client.CoordinatorEvent.PeerChange;
import dev.switchboard.coordinator.client.CoordinatorEvent.Rejected;
import dev.switchboard.coordinator.proto.CoordinateResponse.PeerUpdate.Kind;
import dev.switchboard.coordinator.proto.Node;
import dev.switchboard.testing.CoordinatorTestPeer;
import dev.switchboard.testing.TcpProxy;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link CoordinatorClient} against the real server: exchange, reconnect with resume, refusals. */
@QuarkusTest
class CoordinatorClientTest {
    @TestHTTPResource("/")
    URL root;

    @Inject
    TokenService tokens;

    @Inject
    Vertx vertx;

    private final UUID agentId = UUID.randomUUID();
    private final UUID userId = UUID.randomUUID();

    private String agentToken() {
        return tokens.mint(agentId, Role.AGENT, List.of(), Duration.ofHours(1));
    }

    private String userToken() {
        return tokens.mint(userId, Role.USER, List.of(agentId), Duration.ofHours(1));
    }

    private Node agentNode(int id) {
        return Node.newBuilder().setId(id).setPreferredDerp(999).addAddresses(TailnetAddresses.agentAddress(agentId))
                .build();
    }

    private static Node clientNode(int id) {
        return Node.newBuilder().setId(id).setPreferredDerp(999).addAddresses("fd7a:115c:a1e0::" + id + "/128").build();
    }

    @Test
    void agentAndClientSeeEachOthersNodesAndTheHandshakeSignal() {
        try (CoordinatorTestPeer agent = CoordinatorTestPeer.connect(vertx, root.getPort(), agentToken(), Target.agent());
             CoordinatorTestPeer client = CoordinatorTestPeer.connect(vertx, root.getPort(), userToken(),
                     Target.agentClient(agentId))) {
            assertEquals(agentId, agent.peerId());
            agent.client().updateSelf(agentNode(1));
            client.client().updateSelf(clientNode(2));
            client.client().addTunnel(agentId);

            PeerChange seenByClient = client.nextPeerChange(); // reason: "add tunnel" or "node update", whichever raced
            assertEquals(agentId, seenByClient.peer());
            assertEquals(Kind.NODE, seenByClient.kind());
            assertEquals(agentNode(1), seenByClient.node());
            PeerChange seenByAgent = agent.nextPeerChange();
            assertEquals(client.peerId(), seenByAgent.peer());
            assertEquals(clientNode(2), seenByAgent.node());

            agent.client().readyForHandshake(List.of(client.peerId()));
            PeerChange ready = client.nextPeerChange();
            assertEquals(Kind.READY_FOR_HANDSHAKE, ready.kind());
            assertEquals(agentId, ready.peer());
            assertNull(ready.node());
        }
    }

    @Test
    void aUserScopedClientTunnelsToAnyReachableAgent() {
        try (CoordinatorTestPeer agent = CoordinatorTestPeer.connect(vertx, root.getPort(), agentToken(), Target.agent());
             CoordinatorTestPeer client = CoordinatorTestPeer.connect(vertx, root.getPort(), userToken(),
                     Target.userClient())) {
            agent.client().updateSelf(agentNode(1));
            client.client().addTunnel(agentId);
            assertEquals(agentNode(1), client.nextPeerChange().node());
        }
    }

    @Test
    void afterTheConnectionDropsTheClientResumesItsPeerIdAndReRegistersNodeAndTunnels() throws Exception {
        try (TcpProxy proxy = TcpProxy.start(vertx, root.getPort());
             CoordinatorTestPeer agent = CoordinatorTestPeer.connect(vertx, root.getPort(), agentToken(), Target.agent());
             CoordinatorTestPeer client = CoordinatorTestPeer.start(vertx, CoordinatorTestPeer.options(proxy.port(),
                     userToken(), Target.agentClient(agentId)).withBackoff(Duration.ofMillis(20),
                     Duration.ofMillis(200), 0.2))) {
            UUID first = client.next(Connected.class).peerId();
            agent.client().updateSelf(agentNode(1));
            client.client().updateSelf(clientNode(2));
            client.client().addTunnel(agentId);
            assertEquals(agentNode(1), client.nextPeerChange().node());
            assertEquals(new PeerChange(first, Kind.NODE, clientNode(2), "add tunnel"), agent.nextPeerChange());
            Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> client.client().resumeToken().isPresent());

            proxy.dropAll();

            assertEquals(new PeerChange(first, Kind.LOST, null, "lost"), agent.nextPeerChange());
            ConnectionLost lost = client.next(ConnectionLost.class);
            assertEquals(1, lost.attempt());
            assertTrue(lost.retryIn().compareTo(Duration.ofMillis(30)) < 0, lost.toString());
            assertEquals(new Connected(first, true), client.next(Connected.class));
            // Re-registered: the agent gets the client's node again, the client the agent's (tunnel re-added).
            assertEquals(new PeerChange(first, Kind.NODE, clientNode(2), "add tunnel"), agent.nextPeerChange());
            assertEquals(agentNode(1), client.nextPeerChange().node());
        }
    }

    @Test
    void whenTheServerEndsTheStreamTheClientRedialsAndReRegistersWhatItStillWants() throws Exception {
        try (CoordinatorTestPeer agent = CoordinatorTestPeer.connect(vertx, root.getPort(), agentToken(), Target.agent());
             CoordinatorTestPeer client = CoordinatorTestPeer.start(vertx, CoordinatorTestPeer.options(root.getPort(),
                     userToken(), Target.agentClient(agentId)).withBackoff(Duration.ofMillis(500),
                     Duration.ofMillis(500), 0))) {
            UUID first = client.next(Connected.class).peerId();
            agent.client().updateSelf(agentNode(1));
            client.client().updateSelf(clientNode(2));
            client.client().addTunnel(agentId);
            assertEquals(agentNode(1), client.nextPeerChange().node());
            assertEquals(clientNode(2), agent.nextPeerChange().node());
            Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> client.client().resumeToken().isPresent());

            UUID stranger = UUID.randomUUID();
            client.client().addTunnel(stranger); // not this client's agent: the server ends the stream
            assertTrue(client.next(CoordinatorEvent.ServerError.class).error().startsWith("authorization: "));
            assertEquals(Duration.ofMillis(500), client.next(ConnectionLost.class).retryIn());
            assertEquals(Kind.LOST, agent.nextPeerChange().kind());
            client.client().removeTunnel(stranger); // while redialling: remembered, sent with the resync

            assertEquals(new Connected(first, true), client.next(Connected.class));
            assertEquals(new PeerChange(first, Kind.NODE, clientNode(2), "add tunnel"), agent.nextPeerChange());
            assertEquals(agentNode(1), client.nextPeerChange().node());
            client.expectNothing(300); // no second authorization error: the refused tunnel was not replayed
        }
    }

    @Test
    void anInvalidTokenIsReportedOnceWithItsReasonAndNotRetried() throws Exception {
        CoordinatorTestPeer client = CoordinatorTestPeer.start(vertx,
                CoordinatorTestPeer.options(root.getPort(), "not.a.jwt", Target.agentClient(agentId))
                        .withBackoff(Duration.ofMillis(10), Duration.ofMillis(10), 0));
        assertEquals(new Rejected(401, "Invalid authentication token.", TokenRejection.MALFORMED.detail()), client.next());
        assertEquals(new Closed("rejected: HTTP 401 Invalid authentication token."), client.next());
        client.expectNothing(300);
        assertThrows(Exception.class, () -> client.client().connected().toCompletionStage().toCompletableFuture()
                .get(1, TimeUnit.SECONDS));
        assertEquals(false, client.client().updateSelf(clientNode(1)), "a stopped client refuses sends");
        client.close();
    }

    @Test
    void noAccessToTheAgentIsReportedAsA404() throws Exception {
        try (CoordinatorTestPeer client = CoordinatorTestPeer.start(vertx, CoordinatorTestPeer.options(root.getPort(),
                tokens.mint(userId, Role.USER, List.of(), Duration.ofHours(1)), Target.agentClient(agentId)))) {
            assertEquals(new Rejected(404, "Resource not found or you do not have access to this resource", null),
                    client.next());
            client.next(Closed.class);
            client.expectNothing(200);
        }
    }

    @Test
    void anInvalidResumeTokenIsDroppedAndTheClientConnectsAfresh() {
        try (CoordinatorTestPeer client = CoordinatorTestPeer.start(vertx, CoordinatorTestPeer.options(root.getPort(),
                userToken(), Target.agentClient(agentId)).withResumeToken("garbage"))) {
            assertEquals("invalid resume token", client.next(ConnectionLost.class).reason());
            Connected connected = client.next(Connected.class);
            assertEquals(false, connected.resumed());
            assertNotEquals(null, connected.peerId());
        }
    }

    @Test
    void gracefulDisconnectTellsTunnelPeersDisconnectedAndTheServerHangsUp() throws Exception {
        try (CoordinatorTestPeer agent = CoordinatorTestPeer.connect(vertx, root.getPort(), agentToken(), Target.agent())) {
            agent.client().updateSelf(agentNode(1));
            CoordinatorTestPeer client = CoordinatorTestPeer.connect(vertx, root.getPort(), userToken(),
                    Target.agentClient(agentId));
            client.client().updateSelf(clientNode(2));
            client.client().addTunnel(agentId);
            client.nextPeerChange();
            agent.nextPeerChange();
            client.client().disconnect().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertEquals(Kind.DISCONNECTED, agent.nextPeerChange().kind());
            assertEquals(new Closed("disconnected"), client.next(Closed.class), "the server hung up, no timeout");
        }
    }
}
