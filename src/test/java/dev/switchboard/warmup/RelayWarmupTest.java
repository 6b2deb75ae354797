package dev.switchboard.warmup;

import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.client.DerpClient;
import dev.switchboard.derp.client.DerpClientOptions;
import dev.switchboard.derp.server.DerpServer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CODER_DERP_SERVER_WARMUP on a real server: readiness waits for the warm-up, which relays through the relay's own
 * listener and STUN socket, even with CODER_DERP_SERVER_VERIFY_CLIENTS on, ends within its limit, and leaves no
 * client connected and no stranger admitted.
 */
@QuarkusTest
@TestProfile(RelayWarmupTest.WarmupOn.class)
class RelayWarmupTest {
    static final Duration LIMIT = Duration.ofSeconds(3);

    public static class WarmupOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("coder.derp.server.warmup", LIMIT.toSeconds() + "s",
                    "coder.derp.server.verify-clients", "true");
        }
    }

    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    @TestHTTPResource("/derp")
    URI derp;

    @Inject
    DerpServer relay;

    @Inject
    Vertx vertx;

    @Test
    void readinessWaitsForTheWarmupThenReportsWhatItRelayed() {
        JsonPath first = given().get(ready).then().extract().jsonPath();
        assertEquals("running", first.getString("checks.find { it.name == 'relay-warmup' }.data.phase"),
                "the test starts right after the listener: the warm-up is still on");
        assertEquals("DOWN", first.getString("status"));

        await().atMost(LIMIT.plusSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> given().get(ready).statusCode() == 200);
        JsonPath done = given().get(ready).then().extract().jsonPath();
        String check = "checks.find { it.name == 'relay-warmup' }.data.";
        assertEquals("done", done.getString(check + "phase"));
        assertTrue(done.getLong(check + "relayedPackets") > 1000, done.prettify());
        assertTrue(done.getLong(check + "stunAnswers") > 100, done.prettify());
        assertTrue(done.getLong(check + "churnedConnections") > 10, done.prettify());
        assertTrue(done.getLong(check + "millis") < LIMIT.toMillis() + 2000, done.prettify());
        assertTrue(done.getString(check + "outcome").matches("JIT settled|reached CODER_DERP_SERVER_WARMUP"),
                done.prettify());

        await().atMost(Duration.ofSeconds(5)).until(() -> relay.connectionCount() == 0);
        NodePrivateKey stranger = NodePrivateKey.generate();
        assertThrows(Exception.class, () -> DerpClient.connect(vertx, DerpClientOptions.of(derp, stranger))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS),
                "verify-clients still refuses keys nobody announced");
    }
}
