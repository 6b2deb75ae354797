package dev.switchboard.derp.transport;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;

/** CODER_DERP_SERVER_ENABLE=false: /derp answers 404 while the probes stay up. */
@QuarkusTest
@TestProfile(DerpDisabledTest.RelayDisabled.class)
class DerpDisabledTest {
    public static class RelayDisabled implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("coder.derp.server.enable", "false");
        }
    }

    @Test
    void derpAnswers404() {
        given().header("Upgrade", "DERP").header("Connection", "Upgrade").get("/derp").then().statusCode(404);
        given().get("/derp/probe").then().statusCode(200);
    }
}
