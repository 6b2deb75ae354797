package dev.switchboard.warmup;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A warm-up the relay refuses (a per-IP limit below its six connections) ends at once: readiness does not wait. */
@QuarkusTest
@TestProfile(RelayWarmupRefusedTest.TwoPerIp.class)
class RelayWarmupRefusedTest {
    public static class TwoPerIp implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("coder.derp.server.warmup", "60s", "coder.derp.server.max-connections-per-ip", "2");
        }
    }

    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    @Test
    void readinessComesUpWithTheReason() {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> given().get(ready).statusCode() == 200);
        JsonPath report = given().get(ready).then().extract().jsonPath();
        String outcome = report.getString("checks.find { it.name == 'relay-warmup' }.data.outcome");
        assertTrue(outcome.startsWith("could not connect"), report.prettify());
    }
}
