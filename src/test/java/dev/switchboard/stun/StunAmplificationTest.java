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
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** "STUN floods never make the server send more bytes than it receives", and real clients are still answered. */
class StunAmplificationTest {
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

    @Test
    void aFloodOfBareRequestsGetsNoMoreBytesBackThanItSent() throws Exception {
        StunServer server = start("127.0.0.1:0");
        InetSocketAddress target = server.localAddresses().get(0);
        int requests = 20_000;
        long answeredBytes = 0;
        try (DatagramSocket flood = socket("127.0.0.1")) {
            for (int sent = 0; sent < requests; sent += 200) {
                for (int i = 0; i < 200; i++) {
                    send(flood, target, bare(sent + i));
                }
                awaitReceived(sent + 200);
                answeredBytes += drain(flood, null);
            }
        }
        long in = metrics.bytes("in");
        long out = metrics.bytes("out");
        assertEquals(20L * requests, in);
        assertTrue(out <= in + ByteBudget.ALLOWANCE, out + " bytes sent for " + in + " received");
        assertTrue(answeredBytes <= out);
        assertTrue(metrics.overBudget() > 0, "20,000 answers of 32 bytes for 20 would amplify");
        assertTrue(metrics.answered("ipv4") > 10_000, "the budget still answers what it can");
    }

    @Test
    void tailscaleClientsOverIpv4AndIpv6AreAllAnsweredInAMixedFlood() throws Exception {
        Assumptions.assumeTrue(hasIpv6Loopback(), "no ::1 on this machine");
        StunServer server = start(":0");
        int port = server.localAddresses().get(0).getPort();
        InetSocketAddress v4 = new InetSocketAddress("127.0.0.1", port);
        InetSocketAddress v6 = new InetSocketAddress("::1", port);
        Set<Buffer> answered4 = new HashSet<>();
        Set<Buffer> answered6 = new HashSet<>();
        int rounds = 50;
        try (DatagramSocket flood4 = socket("127.0.0.1"); DatagramSocket flood6 = socket("::1");
             DatagramSocket client4 = socket("127.0.0.1"); DatagramSocket client6 = socket("::1")) {
            long datagrams = 0;
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < 100; i++) {
                    send(flood4, v4, bare(i));
                    send(flood6, v6, bare(i));
                }
                for (int i = 0; i < 10; i++) {
                    send(client4, v4, StunCodec.tailscaleRequest(transactionId(round * 10 + i)));
                    send(client6, v6, StunCodec.tailscaleRequest(transactionId(round * 10 + i)));
                }
                datagrams += 220;
                awaitReceived(datagrams);
                drain(flood4, null);
                drain(flood6, null);
                drain(client4, answered4);
                drain(client6, answered6);
            }
        }
        assertEquals(rounds * 10, answered4.size(), "every IPv4 Tailscale request answered");
        assertEquals(rounds * 10, answered6.size(), "every IPv6 Tailscale request answered");
        assertTrue(metrics.overBudget() > 0, "the bare flood was held to the budget");
        long in = metrics.bytes("in");
        assertTrue(metrics.bytes("out") <= in + ByteBudget.ALLOWANCE, metrics.bytes("out") + " bytes for " + in);
    }

    private StunServer start(String address) {
        StunServer server = new StunServer(vertx, List.of(HostPort.parse("test", address)), metrics);
        TestRelay.await(server.start());
        return server;
    }

    /** Waits until the responder has read {@code count} datagrams (so none waits in its socket buffer). */
    private void awaitReceived(long count) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (received() < count && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(count, received(), "datagrams read by the responder");
    }

    private long received() {
        double total = 0;
        for (StunCodec.Disposition disposition : StunCodec.Disposition.values()) {
            total += metrics.count(disposition);
        }
        return (long) total;
    }

    /** Reads every answer waiting on {@code socket}; returns their bytes, collecting transaction IDs if asked. */
    private static long drain(DatagramSocket socket, Set<Buffer> transactionIds) throws Exception {
        socket.setSoTimeout(transactionIds == null ? 1 : 200);
        long bytes = 0;
        byte[] in = new byte[1500];
        while (true) {
            DatagramPacket packet = new DatagramPacket(in, in.length);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                return bytes;
            }
            bytes += packet.getLength();
            if (transactionIds != null) {
                transactionIds.add(Buffer.buffer(java.util.Arrays.copyOfRange(in, 8, 20)));
                if (transactionIds.size() % 10 == 0) {
                    socket.setSoTimeout(1);
                }
            }
        }
    }

    private static void send(DatagramSocket socket, InetSocketAddress target, Buffer request) throws Exception {
        byte[] bytes = request.getBytes();
        socket.send(new DatagramPacket(bytes, bytes.length, target));
    }

    /** The smallest valid Binding request: a 20-byte header, no attributes. */
    private static Buffer bare(int n) {
        return Buffer.buffer().appendUnsignedShort(StunCodec.BINDING_REQUEST).appendUnsignedShort(0)
                .appendInt(StunCodec.MAGIC_COOKIE).appendBytes(transactionId(n));
    }

    private static byte[] transactionId(int n) {
        return Buffer.buffer().appendInt(0x5b).appendLong(n).getBytes();
    }

    private static DatagramSocket socket(String host) throws Exception {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(host, 0));
        socket.setReceiveBufferSize(1 << 20);
        return socket;
    }

    private static boolean hasIpv6Loopback() {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("::1", 0))) {
            return probe.getLocalPort() > 0;
        } catch (Exception e) {
            return false;
        }
    }
}
