package dev.switchboard.derp.mesh;

import dev.switchboard.config.MeshKey;
import dev.switchboard.derp.PeerGoneReason;
import dev.switchboard.derp.client.DerpMessage;
import dev.switchboard.derp.server.DerpServerOptions;
import dev.switchboard.testing.TestClient;
import dev.switchboard.testing.TestRelay;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Two relays on loopback meshed both ways with one key, as two replicas are: a client on A reaches a client on B
 * through A's link to B (and back through B's link to A); when B's client leaves, A's client learns PeerGone; when B
 * stops, A withdraws what B announced; a link to our own relay is a self-connect and carries nothing.
 */
class RelayMeshTest {
    private static final byte[] KEY = new SecureRandom().generateSeed(32);

    private final TestRelay a = TestRelay.start(DerpServerOptions.defaults().withMeshKey(MeshKey.of(KEY)));
    private final TestRelay b = TestRelay.start(DerpServerOptions.defaults().withMeshKey(MeshKey.of(KEY)));
    private final DerpMesh meshA = new DerpMesh(a.vertx(), a.server(), KEY);
    private final DerpMesh meshB = new DerpMesh(b.vertx(), b.server(), KEY);

    @AfterEach
    void stop() {
        meshA.stop();
        meshB.stop();
        a.close();
        b.close();
    }

    private static URI base(TestRelay relay) {
        return URI.create("http://127.0.0.1:" + relay.port());
    }

    @Test
    void packetsCrossTheMeshBothWaysAndPeerGoneFollowsTheKeyOutOfTheRegion() {
        meshA.meshWith(List.of(base(b)));
        meshB.meshWith(List.of(base(a)));
        try (TestClient onA = a.connect(); TestClient onB = b.connect()) {
            awaitRemote(a, onB);
            awaitRemote(b, onA);
            onA.send(onB, "there");
            DerpMessage.ReceivedPacket atB = onB.nextPacket();
            assertEquals(onA.key(), atB.source());
            assertEquals("there", atB.data().toString());
            onB.send(onA, "back");
            DerpMessage.ReceivedPacket atA = onA.nextPacket();
            assertEquals(onB.key(), atA.source());
            assertEquals("back", atA.data().toString());
            assertEquals(1, a.server().metrics().packetsForwardedOut());

            onB.close();
            DerpMessage.PeerGone gone = onA.next(DerpMessage.PeerGone.class);
            assertEquals(onB.key(), gone.peer());
            assertEquals(PeerGoneReason.DISCONNECTED, gone.reason());
            assertFalse(a.server().isRemote(onB.key()));
        }
    }

    @Test
    void aSiblingThatLeavesTakesItsKeysAlong() {
        meshA.meshWith(List.of(base(b)));
        try (TestClient onB = b.connect(); TestClient onA = a.connect()) {
            meshB.meshWith(List.of(base(a)));
            awaitRemote(b, onA);
            onB.send(onA, "first"); // through B's link to A: onA has now heard from onB
            onA.nextPacket();
            awaitRemote(a, onB);
            meshA.meshWith(List.of());
            Awaitility.await("withdrawn").atMost(Duration.ofSeconds(10)).until(() -> !a.server().isRemote(onB.key()));
            assertEquals(onB.key(), onA.next(DerpMessage.PeerGone.class).peer(), "for A it left the region");
            assertEquals(0, meshA.connectedPeers());
        }
    }

    @Test
    void aBrokenLinkIsRedialledAndRelearns() {
        meshA.meshWith(List.of(base(b)));
        try (TestClient onB = b.connect()) {
            awaitRemote(a, onB);
            b.server().closePeer(a.server().publicKey()); // B closes A's mesh connection
            Awaitility.await("withdrawn").atMost(Duration.ofSeconds(5)).until(() -> !a.server().isRemote(onB.key()));
            Awaitility.await("redialled after 5 s").atMost(Duration.ofSeconds(15))
                    .until(() -> a.server().isRemote(onB.key()));
        }
    }

    @Test
    void aLinkToOurOwnRelayIsASelfConnect() {
        meshA.meshWith(List.of(base(a)));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> meshA.listedPeers() == 0);
        assertEquals(0, meshA.connectedPeers());
    }

    private static void awaitRemote(TestRelay relay, TestClient elsewhere) {
        Awaitility.await("the mesh announces the key").atMost(Duration.ofSeconds(10))
                .until(() -> relay.server().isRemote(elsewhere.key()));
    }
}
