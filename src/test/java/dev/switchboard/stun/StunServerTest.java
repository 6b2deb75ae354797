package dev.switchboard.stun;

import dev.switchboard.config.HostPort;
import dev.switchboard.testing.TestRelay;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The responder on real UDP sockets: round trips over IPv4 and IPv6, silence for bad input, bind failures. */
class StunServerTest {
    private Vertx vertx;
    private StunMetrics metrics;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
        metrics = new StunMetrics(new SimpleMeterRegistry());
    }

    @AfterEach
    void tearDown() {
        TestRelay.await(vertx.close());
    }

    private StunServer start(String... addresses) {
        StunServer server = new StunServer(vertx,
                java.util.Arrays.stream(addresses).map(a -> HostPort.parse("test", a)).toList(), metrics);
        TestRelay.await(server.start());
        return server;
    }

    @Test
    void tailscaleClientRoundTripOverIpv4() throws Exception {
        StunServer server = start("127.0.0.1:0");
        int port = server.localAddresses().get(0).getPort();
        try (DatagramSocket client = client("127.0.0.1")) {
            byte[] tx = transactionId();
            Buffer response = exchange(client, new InetSocketAddress("127.0.0.1", port), StunCodec.tailscaleRequest(tx));
            assertEquals(32, response.length(), "derper's exact response size, no FINGERPRINT");
            StunCodec.BindingResponse parsed = StunCodec.parseResponse(response);
            assertArrayEquals(tx, parsed.transactionId());
            assertEquals(new InetSocketAddress("127.0.0.1", client.getLocalPort()), parsed.mapped());
        }
        assertEquals(1, metrics.count(StunCodec.Disposition.SUCCESS));
        assertEquals(1, metrics.answered("ipv4"));
    }

    @Test
    void dualStackDefaultAnswersIpv4WithFamilyOneAndIpv6WithFamilyTwo() throws Exception {
        Assumptions.assumeTrue(hasIpv6Loopback(), "no ::1 on this machine");
        StunServer server = start(":0");
        int port = server.localAddresses().get(0).getPort();
        try (DatagramSocket v4 = client("127.0.0.1"); DatagramSocket v6 = client("::1")) {
            Buffer r4 = exchange(v4, new InetSocketAddress("127.0.0.1", port), StunCodec.tailscaleRequest(transactionId()));
            assertEquals(1, r4.getUnsignedByte(25), "family byte for an IPv4 sender");
            assertEquals(InetAddress.getByName("127.0.0.1"), StunCodec.parseResponse(r4).mapped().getAddress());

            Buffer r6 = exchange(v6, new InetSocketAddress("::1", port), StunCodec.tailscaleRequest(transactionId()));
            assertEquals(2, r6.getUnsignedByte(25));
            assertEquals(new InetSocketAddress("::1", v6.getLocalPort()), StunCodec.parseResponse(r6).mapped());
        }
        assertEquals(1, metrics.answered("ipv6"));
    }

    @Test
    void genericRfc5389RequestWithoutSoftwareIsAnswered() throws Exception {
        StunServer server = start("127.0.0.1:0");
        Buffer bare = Buffer.buffer().appendUnsignedShort(1).appendUnsignedShort(0).appendInt(StunCodec.MAGIC_COOKIE)
                .appendBytes(transactionId());
        try (DatagramSocket client = client("127.0.0.1")) {
            Buffer response = exchange(client, server.localAddresses().get(0), bare);
            assertNotNull(StunCodec.parseResponse(response));
        }
    }

    @Test
    void malformedDatagramsGetNoAnswerAndAreCounted() throws Exception {
        StunServer server = start("127.0.0.1:0");
        Buffer tailscale = StunCodec.tailscaleRequest(transactionId());
        List<Buffer> notStun = List.of(Buffer.buffer("hello there, not stun at all"), Buffer.buffer(new byte[19]),
                tailscale.copy().setUnsignedShort(0, 0x0101));
        List<Buffer> bad = List.of(tailscale.getBuffer(0, 38), tailscale.copy().setUnsignedShort(2, 24),
                tailscale.copy().setByte(39, (byte) (tailscale.getByte(39) ^ 0xff)));
        try (DatagramSocket client = client("127.0.0.1")) {
            client.setSoTimeout(300);
            for (Buffer packet : notStun) {
                assertNull(tryExchange(client, server.localAddresses().get(0), packet));
            }
            for (Buffer packet : bad) {
                assertNull(tryExchange(client, server.localAddresses().get(0), packet));
            }
        }
        assertEquals(notStun.size(), metrics.count(StunCodec.Disposition.NOT_STUN));
        assertEquals(bad.size(), metrics.count(StunCodec.Disposition.BAD));
        assertEquals(0, metrics.count(StunCodec.Disposition.SUCCESS));
    }

    @Test
    void bindFailureNamesTheAddress() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            StunServer server = new StunServer(vertx, List.of(HostPort.parse("test", "127.0.0.1:" + taken.getLocalPort())),
                    metrics);
            AssertionError e = assertThrows(AssertionError.class, () -> TestRelay.await(server.start()));
            assertTrue(e.getMessage().contains("127.0.0.1:" + taken.getLocalPort()), e.getMessage());
        }
    }

    @Test
    void listenAddressesParseAndDisable() {
        assertEquals(List.of(new HostPort("", 3478)), StunListenAddresses.parse(":3478"));
        assertEquals(List.of(new HostPort("127.0.0.1", 3478), new HostPort("::1", 3479)),
                StunListenAddresses.parse("127.0.0.1:3478, [::1]:3479"));
        assertTrue(StunListenAddresses.parse("disable").isEmpty());
        Exception e = assertThrows(RuntimeException.class, () -> StunListenAddresses.parse("3478"));
        assertTrue(e.getMessage().contains("CODER_STUN_LISTEN_ADDRESSES"));
        assertThrows(RuntimeException.class, () -> StunListenAddresses.parse("a:1,,b:2"));
    }

    private static DatagramSocket client(String host) throws Exception {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(host, 0));
        socket.setSoTimeout(3000);
        return socket;
    }

    private static Buffer exchange(DatagramSocket client, InetSocketAddress server, Buffer request) throws Exception {
        Buffer response = tryExchange(client, server, request);
        assertNotNull(response, "no STUN response");
        return response;
    }

    private static Buffer tryExchange(DatagramSocket client, InetSocketAddress server, Buffer request)
            throws Exception {
        byte[] bytes = request.getBytes();
        client.send(new DatagramPacket(bytes, bytes.length, server));
        byte[] in = new byte[1500];
        DatagramPacket packet = new DatagramPacket(in, in.length);
        try {
            client.receive(packet);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return Buffer.buffer(java.util.Arrays.copyOf(in, packet.getLength()));
    }

    private static byte[] transactionId() {
        byte[] tx = new byte[12];
        ThreadLocalRandom.current().nextBytes(tx);
        return tx;
    }

    private static boolean hasIpv6Loopback() {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("::1", 0))) {
            return probe.getLocalPort() > 0;
        } catch (Exception e) {
            return false;
        }
    }
}
