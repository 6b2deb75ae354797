package dev.switchboard.derp.transport;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/**
 * CODER_DERP_SERVER_ENABLE=false: /derp answers 404 while the probes stay up, and the served map is the external
 * one alone (no embedded region, no STUN regions).
 */
@QuarkusTest
@TestProfile(DerpDisabledTest.RelayDisabled.class)
class DerpDisabledTest {
    public static class RelayDisabled implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Path file = Path.of("target", "derp-disabled-test", "derp.json");
            try {
                Files.createDirectories(file.getParent());
                Files.writeString(file, "{\"Regions\":{\"1\":{\"RegionID\":1,\"RegionCode\":\"ext\","
                        + "\"RegionName\":\"External\",\"Nodes\":[{\"Name\":\"1a\",\"RegionID\":1,"
                        + "\"HostName\":\"derp.example.com\"}]}}}");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of("coder.derp.server.enable", "false",
                    "coder.derp.config.path", file.toAbsolutePath().toString());
        }
    }

    @Test
    void derpAnswers404() {
        given().header("Upgrade", "DERP").header("Connection", "Upgrade").get("/derp").then().statusCode(404);
        given().get("/derp/probe").then().statusCode(200);
        given().get("/api/v2/derp-map").then().statusCode(200)
                .body("Regions.size()", equalTo(1)).body("Regions.1.RegionCode", equalTo("ext"));
    }
}
