package dev.switchboard.ha;

import dev.switchboard.config.MeshKey;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.client.DerpClientOptions;
import dev.switchboard.derp.client.DerpMessage;
import dev.switchboard.derp.mesh.DerpMesh;
import dev.switchboard.derp.server.DerpServer;
import dev.switchboard.derp.server.DerpServerOptions;
import dev.switchboard.testing.TestClient;
import dev.switchboard.testing.TestRelay;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The automatic mesh, driven by the replica registry on a real PostgreSQL: a sibling relay (a second relay in this
 * JVM with the stored mesh key, registered in {@code replicas} as another replica would register itself) is meshed
 * with as soon as its row appears, packets flow between a client here and a client there both ways, and the link is
 * dropped when the row goes. No static mesh list anywhere.
 */
@QuarkusTest
@TestProfile(HaServerTest.WithDatabase.class)
@EnabledIf("dev.switchboard.ha.TestDatabase#available")
class HaMeshTest {
    @TestHTTPResource("/")
    URL root;

    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    @Inject
    DerpServer relay;

    @Test
    void aSiblingInTheRegistryIsMeshedWithAndDroppedWhenItLeaves() {
        TestDatabase database = HaServerTest.Resource.database;
        byte[] meshKey = HexFormat.of().parseHex(
                database.query("SELECT value FROM site_settings WHERE key = 'derp_mesh_key'").getFirst());
        URI here = URI.create("http://127.0.0.1:" + root.getPort());
        UUID sibling = UUID.randomUUID();
        try (TestRelay other = TestRelay.start(DerpServerOptions.defaults().withMeshKey(MeshKey.of(meshKey)))) {
            DerpMesh otherMesh = new DerpMesh(other.vertx(), other.server(), meshKey);
            otherMesh.meshWith(List.of(here)); // the sibling's own registry would list us
            database.sql("INSERT INTO replicas (id, hostname, relay_url, region_id, version, started_at, updated_at)"
                    + " VALUES ('" + sibling + "', 'sibling', 'http://127.0.0.1:" + other.port() + "', 999, 'test',"
                    + " now(), now() + interval '1 hour')", "SELECT pg_notify('replica', '" + sibling + "')");
            try (TestClient onOther = other.connect();
                 TestClient onHere = other.connect(DerpClientOptions.of(here.resolve("/derp"),
                         NodePrivateKey.generate()))) {
                Awaitility.await("meshed with the registered sibling").atMost(Duration.ofSeconds(10))
                        .until(() -> relay.isRemote(onOther.key()) && other.server().isRemote(onHere.key()));
                onHere.send(onOther, "to the sibling");
                assertEquals("to the sibling", onOther.nextPacket().data().toString());
                onOther.send(onHere, "from the sibling");
                DerpMessage.ReceivedPacket back = onHere.nextPacket();
                assertEquals(onOther.key(), back.source());
                given().get(ready).then().statusCode(200)
                        .body("checks.find { it.name == 'database' }.data.meshPeersConnected", equalTo(1));

                database.sql("DELETE FROM replicas WHERE id = '" + sibling + "'",
                        "SELECT pg_notify('replica', '" + sibling + "')");
                Awaitility.await("the link goes with the row").atMost(Duration.ofSeconds(10))
                        .until(() -> !relay.isRemote(onOther.key()));
            } finally {
                otherMesh.stop();
            }
        }
    }
}
