package dev.switchboard.ha;

import dev.switchboard.config.MeshKey;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.sqlclient.Pool;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URL;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Without CODER_PG_CONNECTION_URL the server is the single in-memory node: no registry, no pool, no mesh key. */
@QuarkusTest
class NoDatabaseTest {
    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    @Inject
    HaLifecycle lifecycle;

    @Inject
    MeshKey meshKey;

    @Inject
    Instance<Pool> pool;

    @Test
    void nothingTouchesADatabase() {
        assertTrue(lifecycle.registry().isEmpty());
        assertFalse(meshKey.isConfigured());
        // The datasource is inactive: asking for its pool fails rather than connecting anywhere.
        assertThrows(RuntimeException.class, () -> pool.get().size());
        given().get(ready).then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'database' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'database' }.data.configured", equalTo(false));
    }
}
