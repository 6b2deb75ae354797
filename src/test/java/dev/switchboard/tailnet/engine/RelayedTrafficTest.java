package dev.switchboard.tailnet.engine;

import dev.switchboard.auth.TokenService;
import dev.switchboard.testing.TcpProxy;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.switchboard.tailnet.engine.EnginePeers.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an on-path observer of the relay sees, and what a hostile network can do to an agent: every DERP byte both
 * peers exchange passes through a recording proxy.
 */
@QuarkusTest
class RelayedTrafficTest {
    private static final byte[] MARKER = "PLAINTEXT-MARKER-d3e1f0c2".getBytes(StandardCharsets.US_ASCII);
    /** DERP SendPacket (tailscale derp/derp.go frameSendPacket: type 4, u32 BE length, destination key, packet). */
    private static final int SEND_PACKET = 0x04;

    @TestHTTPResource("/")
    URL root;

    @Inject
    TokenService tokens;

    @Inject
    Vertx vertx;

    @Test
    void theRelaySeesOnlyCiphertext() throws Exception {
        try (TcpProxy proxy = TcpProxy.recording(vertx, root.getPort());
             EnginePeers peers = EnginePeers.start(vertx, tokens, root.getPort(), proxy.port(), true)) {
            for (int i = 0; i < 5; i++) {
                assertFalse(await(peers.client.ping(peers.agentId, MARKER, Duration.ofSeconds(5))).direct());
            }
            byte[] agentKey = peers.agent.conn().publicKey().toBytes();
            boolean sawFramesToAgent = false;
            for (TcpProxy.Connection c : proxy.connections()) {
                for (byte[] stream : new byte[][] {c.sent(), c.received()}) {
                    assertFalse(contains(stream, MARKER), "the plaintext marker crossed the relay");
                }
                sawFramesToAgent |= transportFrameTo(c.sent(), agentKey) != null;
            }
            assertTrue(sawFramesToAgent, "the recording holds the client's relayed WireGuard packets");
        }
    }

    @Test
    void malformedReplayedAndTamperedPacketsAreDroppedAndCountedAndPingsGoOn() throws Exception {
        try (TcpProxy proxy = TcpProxy.recording(vertx, root.getPort());
             EnginePeers peers = EnginePeers.start(vertx, tokens, root.getPort(), proxy.port(), true);
             DatagramSocket stranger = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            await(peers.client.ping(peers.agentId, MARKER, Duration.ofSeconds(5)));
            byte[] agentKey = peers.agent.conn().publicKey().toBytes();
            TcpProxy.Connection clientLeg = proxy.connections().stream()
                    .filter(c -> transportFrameTo(c.sent(), agentKey) != null).findFirst().orElseThrow();
            byte[] frame = transportFrameTo(clientLeg.sent(), agentKey);

            clientLeg.inject(frame); // replayed: same counter
            // A counter never seen (so the replay pre-check passes) under a tag that cannot verify: the AEAD refuses
            // it, and it must not move the replay window either (the next ping still works).
            byte[] tampered = frame.clone();
            tampered[5 + 32 + 8 + 4] ^= 0x01;
            clientLeg.inject(tampered);

            int agentPort = peers.agent.udpPort();
            send(stranger, agentPort, wireGuardLike());
            send(stranger, agentPort, disco(new byte[32]));
            send(stranger, agentPort, disco(peers.client.conn().discoKey().toBytes()));

            Awaitility.await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
                Map<String, Long> drops = await(peers.agent.drops());
                for (String reason : new String[] {"wireguard.REPLAYED_COUNTER", "wireguard.TRANSPORT_DECRYPT_FAILED",
                        "magicsock.UNTIED_UDP_SOURCE", "disco.UNKNOWN_SENDER", "disco.BAD_BOX"}) {
                    assertTrue(drops.getOrDefault(reason, 0L) >= 1, reason + " in " + drops);
                }
            });
            assertNotNull(await(peers.client.ping(peers.agentId, MARKER, Duration.ofSeconds(5))));
        }
    }

    /** A transport message header with a random receiver index: WireGuard-shaped, from an untied source. */
    private static byte[] wireGuardLike() {
        byte[] b = new byte[64];
        b[0] = 4;
        b[4] = 0x5a;
        return b;
    }

    /** Disco magic, a sender key and a nonce, then a box that cannot open. */
    private static byte[] disco(byte[] senderKey) {
        byte[] b = new byte[62 + 40];
        System.arraycopy(new byte[] {0x54, 0x53, (byte) 0xf0, (byte) 0x9f, (byte) 0x92, (byte) 0xac}, 0, b, 0, 6);
        System.arraycopy(senderKey, 0, b, 6, 32);
        Arrays.fill(b, 62, b.length, (byte) 0x33);
        return b;
    }

    private static void send(DatagramSocket s, int port, byte[] payload) throws Exception {
        s.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), port));
    }

    /** The first SendPacket frame to {@code key} whose packet is a WireGuard transport message, or null. */
    private static byte[] transportFrameTo(byte[] stream, byte[] key) {
        Buffer b = Buffer.buffer(stream);
        for (int i = 0; i + 5 + 32 + 4 <= stream.length; i++) {
            if (stream[i] != SEND_PACKET) {
                continue;
            }
            long len = b.getUnsignedInt(i + 1);
            int packet = i + 5 + 32;
            if (len >= 32 + 32 && i + 5 + len <= stream.length
                    && Arrays.equals(stream, i + 5, packet, key, 0, 32)
                    && stream[packet] == 4 && stream[packet + 1] == 0 && stream[packet + 2] == 0
                    && stream[packet + 3] == 0) {
                return Arrays.copyOfRange(stream, i, (int) (i + 5 + len));
            }
        }
        return null;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
