package dev.switchboard.derp.transport;

import com.google.protobuf.ByteString;
import dev.switchboard.auth.Role;
import dev.switchboard.auth.TokenService;
import dev.switchboard.coordinator.TailnetAddresses;
import dev.switchboard.coordinator.client.CoordinatorClientOptions.Target;
import dev.switchboard.coordinator.proto.Node;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.client.DerpClient;
import dev.switchboard.derp.client.DerpClientOptions;
import dev.switchboard.testing.CoordinatorTestPeer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * CODER_DERP_SERVER_VERIFY_CLIENTS=true on the server: a DERP client whose key no coordinated peer announced is
 * refused at the handshake; once an agent publishes a node with that key, the same key is admitted.
 */
@QuarkusTest
@TestProfile(VerifyClientsTest.VerifyClients.class)
class VerifyClientsTest {
    @TestHTTPResource("/")
    URL root;

    @Inject
    TokenService tokens;

    @Inject
    Vertx vertx;

    @Test
    void onlyAnnouncedNodeKeysMayUseTheRelay() throws Exception {
        NodePrivateKey key = NodePrivateKey.generate();
        DerpClientOptions options = DerpClientOptions.of(URI.create("http://127.0.0.1:" + root.getPort() + "/derp"), key);
        assertThrows(Exception.class, () -> DerpClient.connect(vertx, options).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS), "not announced yet");

        UUID agentId = UUID.randomUUID();
        try (CoordinatorTestPeer agent = CoordinatorTestPeer.connect(vertx, root.getPort(),
                tokens.mint(agentId, Role.AGENT, List.of(), Duration.ofHours(1)), Target.agent())) {
            agent.client().updateSelf(Node.newBuilder().setId(1).setPreferredDerp(999)
                    .setKey(ByteString.copyFromUtf8("np").concat(ByteString.copyFrom(key.publicKey().toBytes())))
                    .addAddresses(TailnetAddresses.agentAddress(agentId)).build());
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
                DerpClient client = DerpClient.connect(vertx, options).toCompletionStage().toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
                client.close();
                return true;
            });
        }
    }

    public static class VerifyClients implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("coder.derp.server.verify-clients", "true");
        }
    }
}
