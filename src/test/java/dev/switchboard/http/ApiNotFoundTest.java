package dev.switchboard.http;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
class ApiNotFoundTest {
    @Test
    void unknownApiPathsGetCodersJsonError() {
        given().get("/api/v2/no-such-thing").then().statusCode(404).contentType("application/json")
                .body("message", equalTo("Route not found."))
                .body("detail", equalTo("No API endpoint at GET /api/v2/no-such-thing."));
        given().post("/api/v2/buildinfo/x").then().statusCode(404).contentType("application/json");
    }

    @Test
    void knownRoutesAreUntouched() {
        given().get("/api/v2/derp-map").then().statusCode(200).body("Regions.999.RegionCode", equalTo("coder"));
        given().get("/healthz").then().statusCode(200);
    }
}
