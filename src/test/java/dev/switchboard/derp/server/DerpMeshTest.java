package dev.switchboard.derp.server;

import dev.switchboard.derp.Frames;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.PeerGoneReason;
import dev.switchboard.derp.PeerPresentFlags;
import dev.switchboard.derp.client.DerpMessage;
import dev.switchboard.testing.TestClient;
import dev.switchboard.testing.TestRelay;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Mesh-key privileges (Tailscale's `derp/derp_server.go`): WatchConns, ForwardPacket, ClosePeer and their refusal. */
class DerpMeshTest {
    private static final byte[] MESH_KEY = new byte[32];
    private static TestRelay relay;

    @BeforeAll
    static void start() {
        new SecureRandom().nextBytes(MESH_KEY);
        relay = TestRelay.start(DerpServerOptions.defaults().withMeshKey(MESH_KEY));
    }

    @AfterAll
    static void stop() {
        relay.close();
    }

    private static TestClient meshPeer() {
        return relay.connect(relay.options(NodePrivateKey.generate()).withMeshKey(MESH_KEY));
    }

    @Test
    void watcherSeesCurrentAndFutureClientsComeAndGo() {
        try (TestClient early = relay.connect(); TestClient watcher = meshPeer()) {
            watcher.client().watchConns();
            DerpMessage.PeerPresent present = nextPresentFor(watcher, early);
            assertEquals(PeerPresentFlags.IS_REGULAR, present.flags());
            assertEquals("127.0.0.1", present.address().getAddress().getHostAddress());
            assertTrue(present.address().getPort() > 0);

            TestClient late = relay.connect(relay.options(NodePrivateKey.generate()).withIdealNode("999b"));
            assertEquals(PeerPresentFlags.NOT_IDEAL, nextPresentFor(watcher, late).flags());
            late.close();
            DerpMessage.PeerGone gone = watcher.next(DerpMessage.PeerGone.class);
            assertEquals(late.key(), gone.peer());
            assertEquals(PeerGoneReason.DISCONNECTED, gone.reason());
        }
    }

    @Test
    void meshPeersAreFlaggedAsSuch() {
        try (TestClient watcher = meshPeer()) {
            watcher.client().watchConns();
            try (TestClient other = meshPeer()) {
                assertEquals(PeerPresentFlags.IS_MESH_PEER, nextPresentFor(watcher, other).flags());
            }
        }
    }

    @Test
    void forwardedPacketsAreDeliveredLocallyWithTheOriginalSource() {
        try (TestClient mesh = meshPeer(); TestClient b = relay.connect()) {
            var remoteSource = NodePrivateKey.generate().publicKey();
            mesh.client().forward(remoteSource, b.key(), Buffer.buffer("via mesh"));
            DerpMessage.ReceivedPacket packet = b.nextPacket();
            assertEquals(remoteSource, packet.source());
            assertEquals("via mesh", packet.data().toString());

            double before = relay.server().metrics().drops(DropReason.UNKNOWN_DEST_ON_FWD, false);
            mesh.client().forward(remoteSource, NodePrivateKey.generate().publicKey(), Buffer.buffer("lost"));
            await().until(() -> relay.server().metrics().drops(DropReason.UNKNOWN_DEST_ON_FWD, false) == before + 1);
        }
    }

    @Test
    void closePeerClosesEveryConnectionOfTheKey() {
        try (TestClient mesh = meshPeer()) {
            NodePrivateKey key = NodePrivateKey.generate();
            TestClient first = relay.connect(relay.options(key));
            TestClient second = relay.connect(relay.options(key));
            mesh.client().closePeer(key.publicKey());
            TestRelay.await(first.client().closeFuture());
            TestRelay.await(second.client().closeFuture());
            await().until(() -> !relay.server().isConnected(key.publicKey()));
        }
    }

    @Test
    void privilegedFramesWithoutTheMeshKeyCloseOnlyTheSender() {
        var frames = java.util.List.of(Frames.watchConns(),
                Frames.closePeer(NodePrivateKey.generate().publicKey()),
                Frames.forwardPacket(NodePrivateKey.generate().publicKey(), NodePrivateKey.generate().publicKey(),
                        Buffer.buffer("x")));
        try (TestClient bystander = relay.connect(); TestClient peer = relay.connect()) {
            for (Buffer frame : frames) {
                double before = relay.server().metrics().rejections("insufficient_permissions");
                TestClient offender = relay.connect();
                offender.client().write(frame);
                TestRelay.await(offender.client().closeFuture());
                assertEquals(before + 1, relay.server().metrics().rejections("insufficient_permissions"));
            }
            byte[] wrongKey = MESH_KEY.clone();
            wrongKey[0] ^= 1;
            TestClient impostor = relay.connect(relay.options(NodePrivateKey.generate()).withMeshKey(wrongKey));
            impostor.client().watchConns();
            TestRelay.await(impostor.client().closeFuture());

            bystander.send(peer, "still relaying");
            assertEquals("still relaying", peer.nextPacket().data().toString());
        }
    }

    private static DerpMessage.PeerPresent nextPresentFor(TestClient watcher, TestClient subject) {
        for (int i = 0; i < 50; i++) {
            DerpMessage.PeerPresent present = watcher.next(DerpMessage.PeerPresent.class);
            if (present.peer().equals(subject.key())) {
                return present;
            }
        }
        throw new AssertionError("no PeerPresent for " + subject.key());
    }
}
