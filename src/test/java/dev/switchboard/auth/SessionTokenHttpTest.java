package dev.switchboard.auth;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where a session token may come from, and what a refused one is told, over real HTTP. */
@QuarkusTest
class SessionTokenHttpTest {
    private static final String DEBUG = "/api/v2/debug/coordinator";

    @Inject
    TokenService tokens;

    @Inject
    MeterRegistry registry;

    private String admin() {
        return tokens.mint(UUID.randomUUID(), Role.ADMIN, List.of(), Duration.ofHours(1));
    }

    @Test
    void aBrowserOpensTheDebugPageWithCodersCookie() {
        given().cookie("coder_session_token", admin()).get(DEBUG).then().statusCode(200)
                .body(containsString("coordinator debug"));
    }

    @Test
    void theCookieIsNotAcceptedForACrossOriginWebSocket() {
        given().cookie("coder_session_token", admin()).header("Upgrade", "websocket").header("Connection", "Upgrade")
                .header("Sec-WebSocket-Version", "13").header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                .header("Origin", "https://evil.example.com")
                .get("/api/v2/workspaceagents/" + UUID.randomUUID() + "/coordinate").then().statusCode(401);
    }

    @Test
    void aRefusedTokenIsToldWhyAndCounted() {
        double before = failures("expired");
        String expired = tokens.mint(UUID.randomUUID(), Role.ADMIN, List.of(), Duration.ofSeconds(-120));
        given().header("Coder-Session-Token", expired).get(DEBUG).then().statusCode(401)
                .body("message", equalTo("Invalid authentication token."))
                .body("detail", containsString("expired"));
        assertTrue(failures("expired") >= before + 1, "counted under reason=expired");
    }

    private double failures(String reason) {
        var counter = registry.find("switchboard.auth.failures").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }
}
