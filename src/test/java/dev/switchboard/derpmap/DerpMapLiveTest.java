package dev.switchboard.derpmap;

import dev.switchboard.stun.StunLifecycle;
import dev.switchboard.testing.TestRelay;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The served map with CODER_DERP_CONFIG_PATH: merged at start, hot-reloaded, streamed, bad updates ignored. */
@QuarkusTest
@TestProfile(DerpMapLiveTest.WithMapFile.class)
class DerpMapLiveTest {
    static final Path FILE = Path.of("target", "derpmap-live-test", "derp.json");

    public static class WithMapFile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            write(region(1, "first"));
            return Map.of("coder.derp.config.path", FILE.toAbsolutePath().toString(),
                    "coder.access-url", "https://coder.example.com",
                    "coder.derp.force-websockets", "true",
                    "coder.workspace-hostname-suffix", "corp");
        }
    }

    @TestHTTPResource("/")
    URL root;

    @Inject
    DerpMapService maps;

    @Inject
    StunLifecycle stun;

    @Inject
    Vertx vertx;

    @Test
    void mergedMapConnectionInfoAndHotReloadOverTheStream() throws Exception {
        int stunPort = stun.localAddresses().orElseThrow().get(0).getPort();
        given().get("/api/v2/derp-map").then().statusCode(200)
                .body("Regions.1.RegionCode", equalTo("first"))
                .body("Regions.999.EmbeddedRelay", equalTo(true))
                .body("Regions.999.Nodes[0].HostName", equalTo("coder.example.com"))
                .body("Regions.999.Nodes[0].DERPPort", equalTo(443))
                .body("Regions.999.Nodes[0].STUNPort", equalTo(stunPort))
                .body("Regions.1000.Nodes[0].STUNOnly", equalTo(true));
        given().get("/api/v2/workspaceagents/connection").then().statusCode(200)
                .body("derp_map.Regions.1.RegionCode", equalTo("first"))
                .body("derp_force_websockets", equalTo(true))
                .body("disable_direct_connections", equalTo(false))
                .body("hostname_suffix", equalTo("corp"));

        BlockingQueue<String> updates = new LinkedBlockingQueue<>();
        WebSocketClient client = vertx.createWebSocketClient();
        ClientWebSocket stream = client.webSocket(); // the handler goes on first: the map comes with the upgrade
        stream.textMessageHandler(updates::add);
        TestRelay.connect(vertx, stream, new WebSocketConnectOptions().setHost("127.0.0.1").setPort(root.getPort())
                .setURI("/api/v2/derp-map/stream"));
        assertTrue(next(updates).contains("\"RegionCode\":\"first\""));

        Thread.sleep(1100); // file times have one-second resolution on some file systems
        write("{\"Regions\": not json");
        maps.refresh();
        assertNull(updates.poll(300, TimeUnit.MILLISECONDS), "an invalid map is not pushed");
        assertTrue(DerpMapJson.write(maps.current()).contains("\"first\""), "the old map stays");

        Thread.sleep(1100);
        write(region(1, "second"));
        String pushed = next(updates);
        assertTrue(pushed.contains("\"RegionCode\":\"second\""), pushed);
        given().get("/api/v2/derp-map").then().body("Regions.1.RegionCode", equalTo("second"));
        TestRelay.await(client.close());
    }

    private static String next(BlockingQueue<String> queue) throws InterruptedException {
        String message = queue.poll(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(message, "expected a DERP map on the stream");
        return message;
    }

    static String region(int id, String code) {
        return "{\"Regions\":{\"" + id + "\":{\"RegionID\":" + id + ",\"RegionCode\":\"" + code
                + "\",\"RegionName\":\"R\",\"Nodes\":[{\"Name\":\"" + id + "a\",\"RegionID\":" + id
                + ",\"HostName\":\"derp" + id + ".example.com\"}]}}}";
    }

    static void write(String json) {
        try {
            Files.createDirectories(FILE.getParent());
            Path temp = FILE.resolveSibling("derp.json.tmp");
            Files.writeString(temp, json);
            Files.move(temp, FILE, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
