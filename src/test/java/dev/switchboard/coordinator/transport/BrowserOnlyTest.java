package dev.switchboard.coordinator.transport;

import dev.switchboard.auth.Role;
import dev.switchboard.auth.TokenService;
import dev.switchboard.coordinator.CoordinatorService;
import dev.switchboard.coordinator.proto.CoordinateRequest;
import dev.switchboard.coordinator.proto.CoordinateResponse;
import dev.switchboard.coordinator.proto.Node;
import dev.switchboard.coordinator.client.CoordinatorClientOptions.Target;
import dev.switchboard.testing.CoordinatorTestPeer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** CODER_BROWSER_ONLY=true: client endpoints answer 409; agents and the server's own peer still coordinate. */
@QuarkusTest
@TestProfile(BrowserOnlyTest.BrowserOnly.class)
class BrowserOnlyTest {
    public static class BrowserOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("coder.browser-only", "true");
        }
    }

    @TestHTTPResource("/")
    URL root;

    @Inject
    TokenService tokens;

    @Inject
    CoordinatorService coordinators;

    @Inject
    Vertx vertx;

    @Test
    void nonBrowserClientsAreRefusedAgentsAndTheInProcessPeerAreNot() throws Exception {
        UUID agentId = UUID.randomUUID();
        String user = tokens.mint(UUID.randomUUID(), Role.USER, List.of(agentId), Duration.ofHours(1));
        for (String path : List.of("/api/v2/workspaceagents/" + agentId + "/coordinate?version=2.0",
                "/api/v2/tailnet?version=2.0")) {
            given().header("Coder-Session-Token", user).get(path).then().statusCode(409)
                    .body("message", equalTo("Non-browser connections are disabled for your deployment."));
        }
        try (CoordinatorTestPeer agent = CoordinatorTestPeer.connect(vertx, root.getPort(),
                tokens.mint(agentId, Role.AGENT, List.of(), Duration.ofHours(1)), Target.agent())) {
            agent.client().updateSelf(Node.newBuilder().setId(7).addAddresses(
                    dev.switchboard.coordinator.TailnetAddresses.agentAddress(agentId)).build());

            LinkedBlockingQueue<CoordinateResponse> received = new LinkedBlockingQueue<>();
            try (var server = coordinators.connectInProcess(UUID.randomUUID(), "coderd", received::add)) {
                server.send(CoordinateRequest.newBuilder().setAddTunnel(CoordinateRequest.Tunnel.newBuilder()
                        .setId(dev.switchboard.coordinator.Uuids.bytes(agentId))).build());
                CoordinateResponse response = received.poll(5, TimeUnit.SECONDS);
                assertEquals(7, response.getPeerUpdates(0).getNode().getId());
            }
        }
    }
}
