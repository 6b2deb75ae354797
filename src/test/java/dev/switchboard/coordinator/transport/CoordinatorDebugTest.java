package dev.switchboard.coordinator.transport;

import dev.switchboard.auth.Role;
import dev.switchboard.auth.TokenService;
import dev.switchboard.coordinator.client.CoordinatorClientOptions.Target;
import dev.switchboard.testing.CoordinatorTestPeer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;

/** GET /api/v2/debug/coordinator: HTML and JSON for admins only. */
@QuarkusTest
class CoordinatorDebugTest {
    @TestHTTPResource("/")
    URL root;

    @Inject
    TokenService tokens;

    @Inject
    Vertx vertx;

    @Test
    void adminsSeePeersAsHtmlAndJsonOthersAreRefused() {
        UUID agentId = UUID.randomUUID();
        try (CoordinatorTestPeer agent = CoordinatorTestPeer.connect(vertx, root.getPort(),
                tokens.mint(agentId, Role.AGENT, List.of(), Duration.ofHours(1)), Target.agent())) {
            String admin = tokens.mint(UUID.randomUUID(), Role.ADMIN, List.of(), Duration.ofHours(1));
            org.awaitility.Awaitility.await().untilAsserted(() -> given().header("Coder-Session-Token", admin)
                    .get("/api/v2/debug/coordinator").then().statusCode(200)
                    .body(containsString("in-memory wireguard coordinator debug"))
                    .body(containsString(agentId.toString())));
            given().header("Coder-Session-Token", admin).accept("application/json")
                    .get("/api/v2/debug/coordinator").then().statusCode(200)
                    .body("peers.id", hasItem(agentId.toString()));
            given().header("Coder-Session-Token", tokens.mint(UUID.randomUUID(), Role.USER, List.of(),
                    Duration.ofHours(1))).get("/api/v2/debug/coordinator").then().statusCode(403);
            given().get("/api/v2/debug/coordinator").then().statusCode(401);
        }
    }
}
