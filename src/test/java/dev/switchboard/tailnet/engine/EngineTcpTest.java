package dev.switchboard.tailnet.engine;

import dev.switchboard.auth.TokenService;
import dev.switchboard.tailnet.tcp.TcpSocket;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Inject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;

import static dev.switchboard.tailnet.engine.EnginePeers.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TCP over the tunnel between two engines: the stacks see each other's segments, sealed both ways. */
@QuarkusTest
class EngineTcpTest {
    @TestHTTPResource("/")
    URL root;

    @Inject
    TokenService tokens;

    private static final byte[] PROBE = "tcp test".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    @Inject
    Vertx vertx;

    @ParameterizedTest(name = "relay only: {0}")
    @ValueSource(booleans = {false, true})
    void aMegabyteEchoesIntactOverTheTunnel(boolean relayOnly) throws Exception {
        try (EnginePeers peers = EnginePeers.start(vertx, tokens, root.getPort(), root.getPort(), relayOnly)) {
            await(peers.agent.listen(7, s -> s.pipeTo(s))); // an echo, with Vert.x's backpressure
            // Direct: on the direct path from the start, as speedtest -d waits for it. A transfer begun while magicsock
            // moves from DERP to the direct path has been seen to stall for seconds (both sides in RTO backoff, no
            // drop counted): a path-switch question for magicsock, not what this test is about.
            for (int i = 0; !relayOnly && !await(peers.client.ping(peers.agentId, PROBE, Duration.ofSeconds(2)))
                    .direct(); i++) {
                assertTrue(i < 50, "no direct path within 5 s");
                Thread.sleep(100);
            }
            byte[] data = new byte[1 << 20];
            new Random(7).nextBytes(data);
            Promise<Buffer> echoed = Promise.promise();
            TcpSocket socket = await(peers.client.connect(peers.agentId, 7));
            peers.client.context().runOnContext(v -> {
                Buffer got = Buffer.buffer();
                socket.handler(got::appendBuffer);
                socket.endHandler(e -> echoed.complete(got));
                socket.write(Buffer.buffer(data));
                socket.end();
            });
            byte[] back = await(echoed.future()).getBytes();
            assertEquals(data.length, back.length);
            assertArrayEquals(sha256(data), sha256(back));
        }
    }

    @Test
    void aPortWithoutListenerRefusesAndTheStackCountsTheReset() throws Exception {
        try (EnginePeers peers = EnginePeers.start(vertx, tokens, root.getPort(), root.getPort(), false)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> await(peers.client.connect(peers.agentId, 9)));
            assertTrue(e.getCause().getMessage().contains("REFUSED"), e.getCause().getMessage());
            Map<String, Long> drops = await(peers.agent.drops());
            assertEquals(1L, drops.get("tcp.NO_CONNECTION_RESET"), drops.toString());
        }
    }

    static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }
}
