package dev.switchboard.tailnet.engine;

import dev.switchboard.auth.TokenService;
import dev.switchboard.coordinator.proto.Node;
import dev.switchboard.tailnet.magicsock.Endpoint;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.switchboard.tailnet.engine.EnginePeers.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two engines over real loopback sockets and the real server: coordination, handshake, direct and relayed pings. */
@QuarkusTest
class EngineTest {
    private static final byte[] DATA = "switchboard".getBytes(StandardCharsets.US_ASCII);

    @TestHTTPResource("/")
    URL root;

    @Inject
    TokenService tokens;

    @Inject
    Vertx vertx;

    @Test
    void pingsGoDirectOverLoopback() throws Exception {
        try (EnginePeers peers = EnginePeers.start(vertx, tokens, root.getPort(), root.getPort(), false)) {
            PingResult direct = pingUntil(peers, true);
            assertEquals(new InetSocketAddress("127.0.0.1", peers.agent.udpPort()), direct.via());
        }
    }

    @Test
    void wildcardSocketsFindADirectPathOverTheInterfacesTheyAdvertise() throws Exception {
        try (EnginePeers peers = EnginePeers.start(vertx, tokens, root.getPort(), root.getPort(), false, "0.0.0.0")) {
            PingResult direct = pingUntil(peers, true);
            assertFalse(direct.via().getAddress().isLoopbackAddress(), "an interface address: " + direct.via());
        }
    }

    @Test
    void relayOnlyPingsGoThroughTheEmbeddedRelay() throws Exception {
        try (EnginePeers peers = EnginePeers.start(vertx, tokens, root.getPort(), root.getPort(), true)) {
            for (int i = 0; i < 5; i++) {
                PingResult pong = await(peers.client.ping(peers.agentId, DATA, Duration.ofSeconds(5)));
                assertFalse(pong.direct(), "relay-only: " + pong.via());
                assertEquals(999, pong.derpRegion().orElseThrow());
            }
            assertEquals("Coder Embedded Relay", peers.client.regionName(999));
        }
    }

    @Test
    void publishesItsStunEndpointAndDerpLatencyFromItsOwnSocket() throws Exception {
        try (EnginePeers peers = EnginePeers.startWithStun(vertx, tokens, root.getPort())) {
            Engine agent = peers.agent;
            InetSocketAddress own = new InetSocketAddress("127.0.0.1", agent.udpPort());
            Node node = Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> await(agent.node()),
                    n -> n.containsDerpLatency("999-v4"));
            assertEquals(Set.of("999-v4"), node.getDerpLatencyMap().keySet(), "region 1000 has STUN disabled");
            double seconds = node.getDerpLatencyOrThrow("999-v4");
            assertTrue(seconds > 0 && seconds < 1, "seconds, not nanoseconds: " + seconds);
            assertEquals(999, node.getPreferredDerp());
            // On loopback the STUN server sees the socket's own address: one endpoint, learnt through STUN.
            assertEquals(List.of("127.0.0.1:" + agent.udpPort()), node.getEndpointsList());
            CompletableFuture<List<Endpoint>> sources = new CompletableFuture<>();
            agent.conn().context().runOnContext(v -> sources.complete(agent.conn().endpointSources()));
            assertEquals(List.of(new Endpoint(own, Endpoint.Type.STUN)), sources.get(10, TimeUnit.SECONDS));
            assertEquals(own, pingUntil(peers, true).via());
            assertEquals(0, await(agent.drops()).getOrDefault("magicsock.STUN_UNHANDLED", 0L),
                    "every STUN answer matched a request");
        }
    }

    /** Pings once a 200 ms until one comes back the way wanted (the first may race the disco exchange). */
    static PingResult pingUntil(EnginePeers peers, boolean direct) throws Exception {
        for (int i = 0; i < 50; i++) {
            PingResult pong = await(peers.client.ping(peers.agentId, DATA, Duration.ofSeconds(5)));
            if (pong.direct() == direct) {
                return pong;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no " + (direct ? "direct" : "relayed") + " pong");
    }
}
