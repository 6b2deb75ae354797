package dev.switchboard.derp.server;

import dev.switchboard.config.MeshKey;
import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.client.DerpClient;
import dev.switchboard.testing.TestClient;
import dev.switchboard.testing.TestRelay;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** CODER_DERP_SERVER_VERIFY_CLIENTS at the relay: unknown keys are closed before ServerInfo, mesh peers pass. */
class ClientAdmissionTest {
    private static final byte[] MESH_KEY = new byte[32];

    @Test
    void onlyAdmittedKeysAndMeshPeersCompleteTheHandshake() throws Exception {
        Set<NodeKey> known = ConcurrentHashMap.newKeySet();
        try (TestRelay relay = TestRelay.start(DerpServerOptions.defaults().withMeshKey(MeshKey.of(MESH_KEY)))) {
            relay.server().verifyClientsWith(key -> Future.succeededFuture(known.contains(key)));
            NodePrivateKey stranger = NodePrivateKey.generate();
            assertThrows(Exception.class, () -> DerpClient.connect(relay.vertx(), relay.options(stranger))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS), "refused before ServerInfo");
            await().atMost(java.time.Duration.ofSeconds(5)).until(() -> !relay.server().isConnected(stranger.publicKey()));
            assertEquals(1.0, relay.server().metrics().rejections("client_not_verified"));

            NodePrivateKey a = NodePrivateKey.generate();
            NodePrivateKey b = NodePrivateKey.generate();
            known.add(a.publicKey());
            known.add(b.publicKey());
            try (TestClient first = relay.connect(relay.options(a)); TestClient second = relay.connect(relay.options(b));
                 TestClient mesh = relay.connect(relay.options(NodePrivateKey.generate()).withMeshKey(MESH_KEY))) {
                first.send(second, "admitted");
                assertEquals("admitted", second.nextPacket().data().toString());
            }
        }
    }

    @Test
    void aFailedCheckRefusesToo() {
        try (TestRelay relay = TestRelay.start()) {
            relay.server().verifyClientsWith(key -> Future.failedFuture("database unreachable"));
            assertThrows(Exception.class, () -> DerpClient.connect(relay.vertx(), relay.options(NodePrivateKey.generate()))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void ownClientsPassUntilForgotten() throws Exception {
        try (TestRelay relay = TestRelay.start()) {
            relay.server().verifyClientsWith(key -> Future.succeededFuture(false));
            NodePrivateKey own = NodePrivateKey.generate();
            relay.server().admitOwnClient(own.publicKey());
            try (TestClient admitted = relay.connect(relay.options(own))) {
                assertEquals(0.0, relay.server().metrics().rejections("client_not_verified"));
            }
            relay.server().forgetOwnClient(own.publicKey());
            assertThrows(Exception.class, () -> DerpClient.connect(relay.vertx(), relay.options(own))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS), "forgotten: verified again");
        }
    }
}
