package dev.switchboard.ha;

import dev.switchboard.config.MeshKey;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.net.URL;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server with CODER_PG_CONNECTION_URL (Coder's {@code postgres://} form) on an empty database: Flyway migrates
 * at start-up, the replica registers with its relay URL, the generated mesh key is stored and given to the relay,
 * the coordinator across replicas beats in {@code coordinators}, and readiness reports check {@code database}.
 */
@QuarkusTest
@TestProfile(HaServerTest.WithDatabase.class)
@EnabledIf("dev.switchboard.ha.TestDatabase#available")
class HaServerTest {
    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    @Inject
    HaLifecycle lifecycle;

    @Inject
    MeshKey meshKey;

    @Test
    void migratesRegistersAndSharesTheMeshKey() {
        ReplicaRegistry registry = lifecycle.registry().orElseThrow();
        List<String> rows = Resource.database.query("SELECT id::text || ' ' || relay_url || ' ' || region_id FROM replicas");
        assertEquals(List.of(registry.self().id() + " " + registry.self().relayUrl() + " 999"), rows);
        assertTrue(registry.self().relayUrl().toString().matches("http://127\\.0\\.0\\.1:\\d+"),
                registry.self().relayUrl().toString());
        String stored = Resource.database.query("SELECT value FROM site_settings WHERE key = 'derp_mesh_key'").get(0);
        assertTrue(meshKey.matches(HexFormat.of().parseHex(stored)), "the relay uses the stored key");
        given().get(ready).then().statusCode(200)
                .body("checks.find { it.name == 'database' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'database' }.data.configured", equalTo(true))
                .body("checks.find { it.name == 'database' }.data.coordinatorHealthy", equalTo(true));
        PgCoordinator coordinator = lifecycle.coordinator().orElseThrow();
        assertEquals(List.of("ok"), Resource.database.query("SELECT status::text FROM coordinators WHERE id = '"
                + coordinator.id() + "' AND heartbeat_at > now() - interval '6 seconds'"), "the coordinator beats");
    }

    public static class WithDatabase implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Resource.class));
        }
    }

    public static class Resource implements QuarkusTestResourceLifecycleManager {
        static TestDatabase database;

        @Override
        public Map<String, String> start() {
            database = TestDatabase.create();
            return Map.of("coder.pg.connection-url", database.coderUrl());
        }

        @Override
        public void stop() {
            if (database != null) {
                database.close();
            }
        }
    }
}
