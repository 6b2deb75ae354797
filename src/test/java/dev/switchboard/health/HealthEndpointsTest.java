package dev.switchboard.health;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URL;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

/** Probes and metrics live on the management listener; the public listener only has Coder's /healthz. */
@QuarkusTest
class HealthEndpointsTest {
    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    @TestHTTPResource(value = "/health/live", management = true)
    URL live;

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @Test
    void readinessReportsEveryComponentWithItsData() {
        given().get(ready).then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItems("http-listener", "derp-relay", "stun-responder", "derp-map", "coordinator",
                        "relay-warmup"))
                .body("checks.find { it.name == 'relay-warmup' }.data.outcome", equalTo("off")) // the test profile's 0s
                .body("checks.find { it.name == 'derp-relay' }.data.draining", equalTo(false))
                .body("checks.find { it.name == 'derp-map' }.data.regions", equalTo(6));
    }

    @Test
    void livenessPingsTheEventLoops() {
        given().get(live).then().statusCode(200).body("checks[0].name", equalTo("event-loops"));
    }

    @Test
    void metricsFollowPrometheusNamingWithJvmAndProcessMetrics() {
        given().get("/healthz").then().statusCode(200);
        given().get("/api/v2/no-such-route").then().statusCode(404);
        given().get(metrics).then().statusCode(200)
                .body(org.hamcrest.Matchers.matchesPattern(
                        "(?s).*switchboard_http_requests_total\\{status=\"2xx\"} [1-9].*"))
                .body(org.hamcrest.Matchers.matchesPattern(
                        "(?s).*switchboard_http_requests_total\\{status=\"4xx\"} [1-9].*"))
                .body(containsString("switchboard_http_request_seconds_count"))
                .body(containsString("switchboard_derp_received_bytes_total"))
                .body(containsString("switchboard_coordinator_peers{kind=\"agent\"}"))
                .body(containsString("switchboard_coordinator_requests_total"))
                .body(containsString("jvm_memory_used_bytes"))
                .body(containsString("process_cpu_usage"));
    }

    @Test
    void publicListenerServesHealthzButNotProbesOrMetrics() {
        given().get("/healthz").then().statusCode(200).body(equalTo("OK"));
        given().get("/q/metrics").then().statusCode(404);
        given().get("/q/health/ready").then().statusCode(404);
    }
}
