package dev.switchboard.tailnet.engine;

import dev.switchboard.auth.TokenService;
import dev.switchboard.tailnet.ip.IpPacket;
import dev.switchboard.tailnet.magicsock.MagicConn;
import dev.switchboard.tailnet.wireguard.AllowedIp;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.switchboard.tailnet.engine.EnginePeers.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** UDP over the tunnel between two engines: an echo both ways; bad checksums and unbound ports dropped and counted. */
@QuarkusTest
class EngineUdpTest {
    private static final int ECHO = 5353;

    @TestHTTPResource("/")
    URL root;

    @Inject
    TokenService tokens;

    @Inject
    Vertx vertx;

    @ParameterizedTest(name = "relay only: {0}")
    @ValueSource(booleans = {false, true})
    void datagramsEchoBetweenEnginesAndBadOnesAreCounted(boolean relayOnly) throws Exception {
        try (EnginePeers peers = EnginePeers.start(vertx, tokens, root.getPort(), root.getPort(), relayOnly)) {
            TailnetUdp.Socket[] echo = new TailnetUdp.Socket[1];
            echo[0] = await(peers.agent.bindUdp(ECHO, d -> echo[0].send(d.from(), d.payload())));
            LinkedBlockingQueue<TailnetUdp.Datagram> replies = new LinkedBlockingQueue<>();
            TailnetUdp.Socket client = await(peers.client.bindUdp(0, replies::add));
            assertTrue(client.port() >= 49152, "port 0 binds a dynamic port");
            InetSocketAddress agent = new InetSocketAddress(agentAddress(peers), ECHO);
            assertNotNull(await(peers.client.ping(peers.agentId, new byte[8], java.time.Duration.ofSeconds(5))));

            Buffer payload = Buffer.buffer("over the tunnel, in one datagram");
            TailnetUdp.Datagram reply = null;
            for (int i = 0; i < 20 && reply == null; i++) { // UDP: the first may go while the handshake runs
                peers.client.context().runOnContext(v -> client.send(agent, payload));
                reply = replies.poll(500, TimeUnit.MILLISECONDS);
            }
            assertNotNull(reply, "no echo");
            assertEquals(payload, reply.payload());
            assertEquals(agent, reply.from());

            byte[] from = AllowedIp.parse(await(peers.client.node()).getAddresses(0)).address();
            boolean[] tooBig = new boolean[1];
            await(io.vertx.core.Future.future(p -> peers.client.context().runOnContext(v -> {
                tooBig[0] = client.send(agent, Buffer.buffer(new byte[TailnetUdp.MAX_PAYLOAD + 1]));
                // Unbound port, then a zero checksum (invalid over IPv6): both dropped on the agent.
                client.send(new InetSocketAddress(agent.getAddress(), ECHO + 1), payload);
                byte[] raw = new byte[MagicConn.TX_BUFFER_SIZE];
                int udp = MagicConn.TX_HEADROOM + IpPacket.IPV6_HEADER_LENGTH;
                IpPacket.writeIpv6Header(raw, MagicConn.TX_HEADROOM, 12, TailnetUdp.PROTOCOL_UDP, 64,
                        from, agent.getAddress().getAddress());
                raw[udp + 2] = (byte) (ECHO >>> 8); // destination port ECHO, length 12, checksum left zero
                raw[udp + 3] = (byte) ECHO;
                raw[udp + 5] = 12;
                peers.client.conn().sendPacket(raw, IpPacket.IPV6_HEADER_LENGTH + 12);
                p.complete();
            })));
            assertFalse(tooBig[0], "a datagram over the tunnel MTU is refused, not fragmented");
            Awaitility.await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
                var drops = await(peers.agent.drops());
                assertTrue(drops.getOrDefault("engine.UDP_PORT_UNBOUND", 0L) >= 1, drops.toString());
                assertTrue(drops.getOrDefault("engine.BAD_UDP", 0L) >= 1, drops.toString());
            });
            assertTrue(replies.isEmpty(), "nothing else came back");
        }
    }

    private static InetAddress agentAddress(EnginePeers peers) throws Exception {
        return InetAddress.getByAddress(AllowedIp.parse(await(peers.agent.node()).getAddresses(0)).address());
    }
}
