package dev.switchboard.coordinator.transport;

import dev.switchboard.auth.ResumeTokens;
import dev.switchboard.auth.Role;
import dev.switchboard.auth.TokenService;
import dev.switchboard.coordinator.TailnetAddresses;
import dev.switchboard.coordinator.Uuids;
import dev.switchboard.coordinator.proto.CoordinateRequest;
import dev.switchboard.coordinator.proto.CoordinateResponse;
import dev.switchboard.coordinator.proto.CoordinateResponse.PeerUpdate;
import dev.switchboard.coordinator.proto.Node;
import dev.switchboard.testing.CoordinateTestClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

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

    private CoordinateTestClient agent() {
        return CoordinateTestClient.connect(vertx, root.getPort(), "/api/v2/workspaceagents/me/coordinate?version=2.0",
                agentToken());
    }

    private CoordinateTestClient client(String query) {
        return CoordinateTestClient.connect(vertx, root.getPort(),
                "/api/v2/workspaceagents/" + agentId + "/coordinate?version=2.0" + query, userToken());
    }

    private String agentAddress() {
        return TailnetAddresses.agentAddress(agentId);
    }

    private static CoordinateRequest updateSelf(int id, String address) {
        return CoordinateRequest.newBuilder().setUpdateSelf(CoordinateRequest.UpdateSelf.newBuilder()
                .setNode(Node.newBuilder().setId(id).setPreferredDerp(999).addAddresses(address))).build();
    }

    private static CoordinateRequest tunnel(UUID dst) {
        return CoordinateRequest.newBuilder().setAddTunnel(CoordinateRequest.Tunnel.newBuilder()
                .setId(Uuids.bytes(dst))).build();
    }

    @Test
    void agentAndClientExchangeNodesAndReadyForHandshake() {
        try (CoordinateTestClient agent = agent(); CoordinateTestClient client = client("")) {
            agent.send(updateSelf(1, agentAddress()));
            client.send(updateSelf(2, "fd7a:115c:a1e0::2/128")).send(tunnel(agentId));
            PeerUpdate agentNode = client.next().getPeerUpdates(0);
            assertEquals(PeerUpdate.Kind.NODE, agentNode.getKind());
            assertEquals(agentId, Uuids.uuid(agentNode.getId()));
            assertEquals(1, agentNode.getNode().getId());
            PeerUpdate clientNode = agent.next().getPeerUpdates(0);
            assertEquals(2, clientNode.getNode().getId());
            UUID clientPeer = Uuids.uuid(clientNode.getId());
            assertEquals(UUID.fromString(client.peerId()), clientPeer);

            agent.send(CoordinateRequest.newBuilder().addReadyForHandshake(
                    CoordinateRequest.ReadyForHandshake.newBuilder().setId(Uuids.bytes(clientPeer))).build());
            PeerUpdate rfh = client.next().getPeerUpdates(0);
            assertEquals(PeerUpdate.Kind.READY_FOR_HANDSHAKE, rfh.getKind());
            assertEquals(agentId, Uuids.uuid(rfh.getId()));
        }
    }

    @Test
    void gracefulDisconnectVersusDroppedConnection() {
        try (CoordinateTestClient agent = agent()) {
            agent.send(updateSelf(1, agentAddress()));
            CoordinateTestClient graceful = client("");
            graceful.send(updateSelf(2, "fd7a:115c:a1e0::2/128")).send(tunnel(agentId));
            graceful.next();
            agent.next();
            graceful.send(CoordinateRequest.newBuilder()
                    .setDisconnect(CoordinateRequest.Disconnect.getDefaultInstance()).build());
            assertEquals(PeerUpdate.Kind.DISCONNECTED, agent.next().getPeerUpdates(0).getKind());
            assertTrue(graceful.closedWithin(5000), "the server hangs up after disconnect");

            CoordinateTestClient dropped = client("");
            dropped.send(updateSelf(3, "fd7a:115c:a1e0::3/128")).send(tunnel(agentId));
            dropped.next();
            agent.next();
            dropped.close();
            assertEquals(PeerUpdate.Kind.LOST, agent.next().getPeerUpdates(0).getKind());
        }
    }

    @Test
    void authorizationFailureEndsTheStreamWithItsReason() {
        try (CoordinateTestClient client = client("")) {
            client.send(tunnel(UUID.randomUUID()));
            CoordinateResponse response = client.next();
            assertTrue(response.getError().startsWith("authorization: invalid agent id, expected " + agentId),
                    response.getError());
            assertTrue(client.closedWithin(5000));
        }
    }

    @Test
    void malformedAndOversizedMessagesCloseTheStream() {
        try (CoordinateTestClient client = client("")) {
            client.sendRaw(Buffer.buffer(new byte[]{(byte) 0xff, (byte) 0xff, (byte) 0xff}));
            assertTrue(client.next().getError().startsWith("invalid coordinate request"));
            assertTrue(client.closedWithin(5000));
        }
        try (CoordinateTestClient client = client("")) {
            client.sendRaw(Buffer.buffer(new byte[CoordinateRoutes.MAX_REQUEST_BYTES + 1]));
            assertTrue(client.next().getError().contains("exceeds"));
            assertTrue(client.closedWithin(5000));
        }
    }

    @Test
    void resumeTokenKeepsThePeerIdAndABadOneIsRejected() {
        CoordinateTestClient first = client("");
        String token = spec(userToken()).body("{\"peer_id\":\"" + first.peerId() + "\"}")
                .post("/api/v2/tailnet/resume-token").then().statusCode(200)
                .body("refresh_in", equalTo(ResumeTokens.LIFETIME.dividedBy(2).toSeconds() + "s"))
                .extract().path("token");
        spec(tokens.mint(UUID.randomUUID(), Role.USER, List.of(), Duration.ofHours(1)))
                .body("{\"peer_id\":\"" + first.peerId() + "\"}").post("/api/v2/tailnet/resume-token")
                .then().statusCode(404);
        first.close();
        try (CoordinateTestClient resumed = client("&resume_token=" + token)) {
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
