package dev.switchboard.derp.transport;

import dev.switchboard.derp.ClientInfo;
import dev.switchboard.derp.DerpLimits;
import dev.switchboard.derp.FrameType;
import dev.switchboard.derp.Frames;
import dev.switchboard.derp.Handshake;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.client.DerpClient;
import dev.switchboard.derp.client.DerpClientOptions;
import dev.switchboard.derp.server.DerpServer;
import dev.switchboard.testing.RawDerpSocket;
import dev.switchboard.testing.TestRelay;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The relay's HTTP surface on the real Quarkus listener (Tailscale's `derp/derphttp`, `cmd/derper`). */
@QuarkusTest
class DerpHttpEndpointTest {
    @TestHTTPResource("/")
    URL root;

    @TestHTTPResource(value = "/metrics", management = true)
    java.net.URL metrics;

    @Inject
    DerpServer server;

    @Inject
    Vertx vertx;

    @Test
    void upgradeAnswersWithTheExact101ThenServerKey() throws Exception {
        try (RawDerpSocket raw = new RawDerpSocket(root.getPort())) {
            raw.write(RawDerpSocket.upgradeHead("").replace("Upgrade: DERP", "Upgrade: dErP"));
            assertEquals("HTTP/1.1 101 Switching Protocols\r\nUpgrade: DERP\r\nConnection: Upgrade\r\n"
                    + "Derp-Version: 2\r\nDerp-Public-Key: " + server.publicKey().toHex() + "\r\n\r\n", raw.readHead());
            Buffer serverKey = raw.readFrame();
            assertEquals(Frames.serverKey(server.publicKey()), serverKey);
        }
    }

    /** A real fast-start client writes its head and ClientInfo in one write; both must survive the upgrade. */
    @Test
    void fastStartKeepsTheClientInfoSentWithTheRequestHead() throws Exception {
        try (RawDerpSocket raw = new RawDerpSocket(root.getPort())) {
            Buffer oneWrite = Buffer.buffer(RawDerpSocket.upgradeHead("Derp-Fast-Start: 1\r\n"), "US-ASCII")
                    .appendBuffer(Frames.clientInfo(raw.key(), server.publicKey(), ClientInfo.regular()))
                    .appendBuffer(Frames.notePreferred(true))
                    .appendBuffer(Frames.ping(Buffer.buffer("fastping")));
            raw.write(oneWrite);
            Buffer first = raw.readFrame();
            assertEquals(FrameType.SERVER_KEY.code(), first.getUnsignedByte(0), "no HTTP response in fast start");
            Buffer serverInfo = raw.readFrame();
            assertEquals(FrameType.SERVER_INFO.code(), serverInfo.getUnsignedByte(0));
            Handshake.openServerInfo(raw.key(), server.publicKey(),
                    serverInfo.getBuffer(DerpLimits.FRAME_HEADER_LEN, serverInfo.length()));
            assertEquals(Frames.pong(Buffer.buffer("fastping")), raw.readFrame());
        }
    }

    @Test
    void javaClientConnectsWithFastStartAndOverWebSocket() {
        URI url = URI.create("http://127.0.0.1:" + root.getPort() + "/derp");
        DerpClient fast = TestRelay.await(DerpClient.connect(vertx,
                DerpClientOptions.of(url, NodePrivateKey.generate()).withFastStart(server.publicKey())));
        DerpClient ws = TestRelay.await(DerpClient.connect(vertx,
                DerpClientOptions.of(url, NodePrivateKey.generate()).withWebSocket(true)));
        Buffer[] received = new Buffer[1];
        ws.messageHandler(m -> {
            if (m instanceof dev.switchboard.derp.client.DerpMessage.ReceivedPacket p) {
                received[0] = p.data();
            }
        });
        fast.send(ws.publicKey(), Buffer.buffer("fast to ws"));
        org.awaitility.Awaitility.await().until(() -> received[0] != null);
        assertEquals("fast to ws", received[0].toString());
        assertEquals(server.publicKey(), ws.serverKey());
        TestRelay.await(fast.close());
        TestRelay.await(ws.close());
    }

    @Test
    void requestsWithoutUpgradeGet426() {
        given().get("/derp").then().statusCode(426).body(equalTo("DERP requires connection upgrade"));
        given().header("Upgrade", "foobar").get("/derp").then().statusCode(426);
    }

    @Test
    void webSocketWithoutTheDerpSubprotocolIsRefused() throws Exception {
        try (RawDerpSocket raw = new RawDerpSocket(root.getPort())) {
            raw.write("GET /derp HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Protocol: derp\r\n\r\n");
            String head = raw.readHead();
            assertTrue(head.startsWith("HTTP/1.1 101"), head);
            assertTrue(head.toLowerCase().contains("sec-websocket-protocol: derp"), head);
            assertTrue(!head.toLowerCase().contains("permessage-deflate"), head);
        }
    }

    @Test
    void probesAnswerGetAndHeadOnly() {
        for (String path : new String[]{"/derp/probe", "/derp/latency-check"}) {
            given().get(path).then().statusCode(200).header("Access-Control-Allow-Origin", "*")
                    .body(emptyString());
            given().head(path).then().statusCode(200).header("Access-Control-Allow-Origin", "*");
            given().post(path).then().statusCode(405);
        }
    }

    @Test
    void generate204EchoesOnlyWellFormedChallenges() {
        given().header("X-Tailscale-Challenge", "input").get("/generate_204").then().statusCode(204)
                .header("X-Tailscale-Response", "response input")
                .header("Cache-Control", "no-cache, no-store, must-revalidate, no-transform, max-age=0");
        given().header("X-Tailscale-Challenge", "ts_derp99b.tailscale.com").get("/generate_204").then()
                .statusCode(204).header("X-Tailscale-Response", "response ts_derp99b.tailscale.com");
        for (String bad : new String[]{"foo bar", "x".repeat(65)}) {
            given().header("X-Tailscale-Challenge", bad).get("/generate_204").then().statusCode(204)
                    .header("X-Tailscale-Response", nullValue());
        }
        given().get("/generate_204").then().statusCode(204).header("X-Tailscale-Response", nullValue());
    }

    @Test
    void nulByteChallengeIsNotEchoed() throws Exception {
        try (RawDerpSocket raw = new RawDerpSocket(root.getPort())) {
            raw.write(Buffer.buffer("GET /generate_204 HTTP/1.1\r\nHost: x\r\nX-Tailscale-Challenge: foo\0bar\r\n\r\n",
                    StandardCharsets.ISO_8859_1.name()));
            String head = raw.readHead();
            assertTrue(!head.contains("X-Tailscale-Response"), head);
        }
    }

    @Test
    void relayMetricsAreExported() {
        given().get(metrics).then().statusCode(200)
                .body(containsString("switchboard_derp_accepts_total"))
                .body(containsString("switchboard_derp_packets_dropped_total{kind=\"disco\",reason=\"queue_head\"}"));
    }
}
