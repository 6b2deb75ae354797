package dev.switchboard.coordinator.transport;

import dev.switchboard.auth.ResumeTokens;
import dev.switchboard.auth.Role;
import dev.switchboard.auth.TokenService;
import dev.switchboard.coordinator.TailnetAddresses;
import dev.switchboard.coordinator.client.CoordinatorClientOptions.Target;
import dev.switchboard.coordinator.client.CoordinatorEvent.Closed;
import dev.switchboard.coordinator.client.CoordinatorEvent.ConnectionLost;
import dev.switchboard.coordinator.client.CoordinatorEvent.Connected;
import dev.switchboard.coordinator.client.CoordinatorEvent.PeerChange;
import dev.switchboard.coordinator.client.CoordinatorEvent.ServerError;
import dev.switchboard.coordinator.proto.CoordinateResponse;
import dev.switchboard.coordinator.proto.CoordinateResponse.PeerUpdate.Kind;
import dev.switchboard.coordinator.proto.Node;
import dev.switchboard.testing.CoordinatorTestPeer;
import dev.switchboard.testing.TestRelay;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The coordination API over real WebSockets on the Quarkus listener. */
@QuarkusTest
class CoordinateEndpointTest {
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

    private CoordinatorTestPeer agent() {
        return CoordinatorTestPeer.connect(vertx, root.getPort(), agentToken(), Target.agent());
    }

    private CoordinatorTestPeer client() {
        return CoordinatorTestPeer.connect(vertx, root.getPort(), userToken(), Target.agentClient(agentId));
    }

    private Node agentNode(int id) {
        return Node.newBuilder().setId(id).setPreferredDerp(999).addAddresses(TailnetAddresses.agentAddress(agentId))
                .build();
    }

    private static Node clientNode(int id) {
        return Node.newBuilder().setId(id).setPreferredDerp(999).addAddresses("fd7a:115c:a1e0::" + id + "/128").build();
    }

    @Test
    void agentAndClientExchangeNodesAndReadyForHandshake() {
        try (CoordinatorTestPeer agent = agent(); CoordinatorTestPeer client = client()) {
            agent.client().updateSelf(agentNode(1));
            client.client().updateSelf(clientNode(2));
            client.client().addTunnel(agentId);
            PeerChange agentNode = client.nextPeerChange();
            assertEquals(Kind.NODE, agentNode.kind());
            assertEquals(agentId, agentNode.peer());
            assertEquals(1, agentNode.node().getId());
            PeerChange clientNode = agent.nextPeerChange();
            assertEquals(2, clientNode.node().getId());
            UUID clientPeer = clientNode.peer();
            assertEquals(client.peerId(), clientPeer);

            agent.client().readyForHandshake(List.of(clientPeer));
            PeerChange rfh = client.nextPeerChange();
            assertEquals(Kind.READY_FOR_HANDSHAKE, rfh.kind());
            assertEquals(agentId, rfh.peer());
        }
    }

    @Test
    void gracefulDisconnectVersusDroppedConnection() {
        try (CoordinatorTestPeer agent = agent()) {
            agent.client().updateSelf(agentNode(1));
            CoordinatorTestPeer graceful = client();
            graceful.client().updateSelf(clientNode(2));
            graceful.client().addTunnel(agentId);
            graceful.nextPeerChange();
            agent.nextPeerChange();
            graceful.client().disconnect();
            assertEquals(Kind.DISCONNECTED, agent.nextPeerChange().kind());
            assertEquals(new Closed("disconnected"), graceful.next(Closed.class), "the server hangs up after disconnect");

            CoordinatorTestPeer dropped = client();
            dropped.client().updateSelf(clientNode(3));
            dropped.client().addTunnel(agentId);
            dropped.nextPeerChange();
            agent.nextPeerChange();
            dropped.close();
            assertEquals(Kind.LOST, agent.nextPeerChange().kind());
        }
    }

    @Test
    void authorizationFailureEndsTheStreamWithItsReason() {
        try (CoordinatorTestPeer client = client()) {
            client.client().addTunnel(UUID.randomUUID());
            ServerError error = client.next(ServerError.class);
            assertTrue(error.fatal());
            assertTrue(error.error().startsWith("authorization: invalid agent id, expected " + agentId), error.error());
            client.next(ConnectionLost.class); // the server closed the stream
        }
    }

    @Test
    void malformedAndOversizedMessagesCloseTheStream() {
        // Not a CoordinateRequest at all: only a raw socket can send it.
        CoordinateResponse response = rawExchange(Buffer.buffer(new byte[]{(byte) 0xff, (byte) 0xff, (byte) 0xff}));
        assertTrue(response.getError().startsWith("invalid coordinate request"), response.getError());
        try (CoordinatorTestPeer client = client()) {
            Node.Builder huge = clientNode(2).toBuilder();
            for (int i = 0; huge.build().getSerializedSize() <= CoordinateRoutes.MAX_REQUEST_BYTES; i++) {
                huge.addEndpoints("192.0.2." + (i % 250) + ":" + (10_000 + i));
            }
            client.client().updateSelf(huge.build());
            ServerError error = client.next(ServerError.class);
            assertTrue(error.error().contains("exceeds"), error.error());
            client.next(ConnectionLost.class);
        }
    }

    /** Sends one binary message on a bare WebSocket; returns the server's last response once it has hung up. */
    private CoordinateResponse rawExchange(Buffer message) {
        WebSocketClient ws = vertx.createWebSocketClient();
        try {
            WebSocket socket = TestRelay.await(ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
                    .setPort(root.getPort()).setURI("/api/v2/workspaceagents/" + agentId + "/coordinate?version=2.0")
                    .putHeader("Coder-Session-Token", userToken())));
            LinkedBlockingQueue<Buffer> received = new LinkedBlockingQueue<>();
            CompletableFuture<Void> closed = new CompletableFuture<>();
            socket.binaryMessageHandler(received::add);
            socket.closeHandler(v -> closed.complete(null));
            TestRelay.await(socket.writeBinaryMessage(message));
            closed.get(5, TimeUnit.SECONDS);
            return CoordinateResponse.parseFrom(received.poll().getBytes());
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            TestRelay.await(ws.close());
        }
    }

    @Test
    void resumeTokenKeepsThePeerIdAndABadOneIsRejected() {
        CoordinatorTestPeer first = client();
        String token = spec(userToken()).body("{\"peer_id\":\"" + first.peerId() + "\"}")
                .post("/api/v2/tailnet/resume-token").then().statusCode(200)
                .body("refresh_in", equalTo(ResumeTokens.LIFETIME.dividedBy(2).toSeconds() + "s"))
                .extract().path("token");
        spec(tokens.mint(UUID.randomUUID(), Role.USER, List.of(), Duration.ofHours(1)))
                .body("{\"peer_id\":\"" + first.peerId() + "\"}").post("/api/v2/tailnet/resume-token")
                .then().statusCode(404);
        first.close();
        try (CoordinatorTestPeer resumed = CoordinatorTestPeer.start(vertx, CoordinatorTestPeer.options(
                root.getPort(), userToken(), Target.agentClient(agentId)).withResumeToken(token))) {
            assertEquals(new Connected(first.peerId(), true), resumed.next(Connected.class));
            assertEquals(first.peerId(), resumed.peerId());
        }
        given().header("Coder-Session-Token", userToken())
                .get("/api/v2/workspaceagents/" + agentId + "/coordinate?version=2.0&resume_token=garbage")
                .then().statusCode(401).body("validations[0].field", equalTo("resume_token"));
    }

    @Test
    void errorsBeforeTheUpgrade() {
        String path = "/api/v2/workspaceagents/" + agentId + "/coordinate";
        given().get(path + "?version=2.0").then().statusCode(401);
        given().header("Coder-Session-Token", "not.a.jwt").get(path + "?version=2.0").then().statusCode(401);
        given().header("Authorization", "Bearer " + tokens.mint(userId, Role.USER, List.of(agentId),
                Duration.ofSeconds(-60))).get(path + "?version=2.0").then().statusCode(401);
        given().header("Coder-Session-Token", agentToken()).get(path + "?version=2.0").then().statusCode(403);
        given().header("Coder-Session-Token", tokens.mint(userId, Role.USER, List.of(), Duration.ofHours(1)))
                .get(path + "?version=2.0").then().statusCode(404);
        given().header("Coder-Session-Token", userToken()).get(path).then().statusCode(400)
                .body("message", equalTo("Unknown or unsupported API version"))
                .body("validations[0].field", equalTo("version"));
        given().header("Coder-Session-Token", userToken()).get(path + "?version=3.0").then().statusCode(400);
        given().header("Coder-Session-Token", userToken()).get("/api/v2/workspaceagents/nope/coordinate")
                .then().statusCode(400);
        given().header("Coder-Session-Token", userToken()).get("/api/v2/workspaceagents/me/coordinate")
                .then().statusCode(403);
        given().header("Coder-Session-Token", tokens.mint(UUID.randomUUID(), Role.ADMIN, List.of(),
                Duration.ofHours(1))).get(path + "?version=2.0").then().statusCode(400)
                .body("message", equalTo("This endpoint requires a WebSocket upgrade."));
    }

    private RequestSpecification spec(String token) {
        return given().header("Coder-Session-Token", token).contentType("application/json");
    }
}
