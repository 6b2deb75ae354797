package dev.switchboard.derp.transport;

import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.client.DerpClient;
import dev.switchboard.derp.client.DerpClientOptions;
import dev.switchboard.derp.server.DerpServer;
import dev.switchboard.testing.TestRelay;
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
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** CODER_DERP_SERVER_MAX_CONNECTIONS_PER_IP=2: a third connection from one address is refused until one closes. */
@QuarkusTest
@TestProfile(ConnectionsPerIpTest.TwoPerIp.class)
class ConnectionsPerIpTest {
    public static class TwoPerIp implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("coder.derp.server.max-connections-per-ip", "2");
        }
    }

    @TestHTTPResource("/derp")
    URL derp;

    @Inject
    Vertx vertx;

    @Inject
    DerpServer server;

    private DerpClient connect() {
        return TestRelay.await(DerpClient.connect(vertx, DerpClientOptions.of(URI.create(derp.toString()),
                NodePrivateKey.generate())));
    }

    @Test
    void aThirdConnectionFromOneAddressWaitsForASlot() {
        long refusedBefore = server.metrics().refusedPerIp();
        DerpClient first = connect();
        DerpClient second = connect();
        assertThrows(Throwable.class, this::connect); // the upgrade answered 429
        assertEquals(refusedBefore + 1, server.metrics().refusedPerIp());
        TestRelay.await(first.close());
        await().atMost(Duration.ofSeconds(5)).ignoreExceptions().until(() -> {
            TestRelay.await(connect().close());
            return true;
        });
        TestRelay.await(second.close());
    }
}
