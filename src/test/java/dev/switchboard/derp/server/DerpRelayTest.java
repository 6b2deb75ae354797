package dev.switchboard.derp.server;

import dev.switchboard.derp.DiscoPacket;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.PeerGoneReason;
import dev.switchboard.derp.client.DerpMessage;
import dev.switchboard.testing.TestClient;
import dev.switchboard.testing.TestRelay;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Relay semantics over real loopback sockets (Tailscale's `derp/derp_server.go`): delivery, NotHere, PeerGone, ping. */
class DerpRelayTest {
    private static TestRelay relay;

    @BeforeAll
    static void start() {
        relay = TestRelay.start();
    }

    @AfterAll
    static void stop() {
        relay.close();
    }

    @Test
    void twoClientsExchangePacketsBothWays() {
        try (TestClient a = relay.connect(); TestClient b = relay.connect()) {
            a.send(b, "hello from A");
            DerpMessage.ReceivedPacket atB = b.nextPacket();
            assertEquals(a.key(), atB.source());
            assertEquals("hello from A", atB.data().toString());

            b.send(a, "hello from B");
            DerpMessage.ReceivedPacket atA = a.nextPacket();
            assertEquals(b.key(), atA.source());
            assertEquals("hello from B", atA.data().toString());
        }
    }

    @Test
    void maximumEmptyAndSelfAddressedPacketsArrive() {
        try (TestClient a = relay.connect(); TestClient b = relay.connect()) {
            byte[] max = new byte[64 * 1024];
            new java.util.Random(7).nextBytes(max);
            a.client().send(b.key(), Buffer.buffer(max));
            assertEquals(Buffer.buffer(max), b.nextPacket().data());

            a.client().send(b.key(), Buffer.buffer());
            assertEquals(0, b.nextPacket().data().length());

            a.client().send(a.key(), Buffer.buffer("to myself"));
            DerpMessage.ReceivedPacket self = a.nextPacket();
            assertEquals(a.key(), self.source());
            assertEquals("to myself", self.data().toString());
        }
    }

    @Test
    void aBurstArrivesCompleteAndInOrder() {
        try (TestClient a = relay.connect(); TestClient b = relay.connect()) {
            for (int i = 0; i < 2000; i++) {
                a.client().send(b.key(), Buffer.buffer(1200).appendInt(i).appendBytes(new byte[1196]));
            }
            for (int i = 0; i < 2000; i++) {
                assertEquals(i, b.nextPacket().data().getInt(0));
            }
        }
    }

    @Test
    void unknownDestinationDropsAndAnswersDiscoWithRateLimitedNotHere() {
        DerpMetrics metrics = relay.server().metrics();
        double before = metrics.drops(DropReason.UNKNOWN_DEST, true) + metrics.drops(DropReason.UNKNOWN_DEST, false);
        try (TestClient a = relay.connect()) {
            var nobody = NodePrivateKey.generate().publicKey();
            a.client().send(nobody, Buffer.buffer("plain packet"));
            a.expectNothing(200);

            for (int i = 0; i < 6; i++) {
                a.client().send(nobody, discoPacket());
            }
            for (int i = 0; i < 3; i++) {
                DerpMessage.PeerGone gone = a.next(DerpMessage.PeerGone.class);
                assertEquals(nobody, gone.peer());
                assertEquals(PeerGoneReason.NOT_HERE, gone.reason());
            }
            a.expectNothing(300);
        }
        assertEquals(before + 7, metrics.drops(DropReason.UNKNOWN_DEST, true)
                + metrics.drops(DropReason.UNKNOWN_DEST, false));
    }

    @Test
    void receiversLearnPeerGoneWhenTheSendersLastConnectionLeaves() {
        try (TestClient b = relay.connect(); TestClient bystander = relay.connect()) {
            TestClient a = relay.connect();
            a.send(b, "hi");
            b.nextPacket();
            a.close();
            DerpMessage.PeerGone gone = b.next(DerpMessage.PeerGone.class);
            assertEquals(a.key(), gone.peer());
            assertEquals(PeerGoneReason.DISCONNECTED, gone.reason());
            bystander.expectNothing(200);
        }
    }

    @Test
    void pingIsAnsweredWithPong() {
        try (TestClient a = relay.connect()) {
            TestRelay.await(a.client().ping());
            TestRelay.await(a.client().ping());
        }
    }

    @Test
    void notePreferredCountsHomeConnections() {
        long before = relay.server().metrics().homeConnections();
        TestClient a = relay.connect();
        a.client().notePreferred(true);
        await().until(() -> relay.server().metrics().homeConnections() == before + 1);
        a.client().notePreferred(false);
        await().until(() -> relay.server().metrics().homeConnections() == before);
        a.client().notePreferred(true);
        await().until(() -> relay.server().metrics().homeConnections() == before + 1);
        a.close();
        await().until(() -> relay.server().metrics().homeConnections() == before);
    }

    @Test
    void webSocketTransportRelaysToAndFromUpgradedClients() {
        try (TestClient ws = relay.connect(relay.options(NodePrivateKey.generate()).withWebSocket(true));
             TestClient tcp = relay.connect()) {
            ws.send(tcp, "over websocket");
            assertEquals("over websocket", tcp.nextPacket().data().toString());
            byte[] max = new byte[64 * 1024];
            tcp.client().send(ws.key(), Buffer.buffer(max));
            assertEquals(max.length, ws.nextPacket().data().length());
            TestRelay.await(ws.client().ping());
        }
    }

    @Test
    void textMessageOnDerpWebSocketClosesWith1003() {
        var client = relay.vertx().createWebSocketClient();
        var ws = TestRelay.await(client.connect(new io.vertx.core.http.WebSocketConnectOptions().setHost("127.0.0.1")
                .setPort(relay.port()).setURI("/derp").addSubProtocol("derp")));
        java.util.concurrent.CompletableFuture<Short> status = new java.util.concurrent.CompletableFuture<>();
        ws.closeHandler(v -> status.complete(ws.closeStatusCode()));
        ws.writeTextMessage("not a DERP frame");
        assertEquals((short) 1003, TestRelay.await(io.vertx.core.Future.fromCompletionStage(status)));
        TestRelay.await(client.close());
    }

    static Buffer discoPacket() {
        return Buffer.buffer(DiscoPacket.magic()).appendBytes(new byte[32 + 24 + 20]);
    }
}
