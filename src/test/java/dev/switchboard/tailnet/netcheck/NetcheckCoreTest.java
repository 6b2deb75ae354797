package dev.switchboard.tailnet.netcheck;

import dev.switchboard.derpmap.DerpMap;
import dev.switchboard.derpmap.DerpNode;
import dev.switchboard.derpmap.DerpRegion;
import dev.switchboard.stun.StunCodec;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The probing core with a fake sender, and full reports against small STUN responders on loopback. */
class NetcheckCoreTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    }

    private <T> T onContext(Context context, java.util.function.Supplier<T> action) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        context.runOnContext(v -> result.complete(action.get()));
        return result.get(10, TimeUnit.SECONDS);
    }

    @Test
    void transactionsMatchResponsesByIdOverAFakeSender() throws Exception {
        Context context = vertx.getOrCreateContext();
        List<Buffer> sent = new ArrayList<>();
        StunTransactions stun = new StunTransactions(vertx, context, (datagram, target) -> {
            sent.add(datagram);
            return Future.succeededFuture();
        }, 1);
        InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), 3478);
        StunTransactions.Transaction tx = onContext(context, () -> stun.start(server, Duration.ofSeconds(5)));
        StunTransactions.Transaction refused = onContext(context, () -> stun.start(server, Duration.ofSeconds(5)));
        assertTrue(refused.response().failed(), "the table is bounded to one transaction");
        assertEquals(1, sent.size());
        byte[] id = StunCodec.validate(sent.get(0)).request().transactionId();

        byte[] otherId = id.clone();
        otherId[0] ^= 1;
        InetAddress mapped = InetAddress.getByName("203.0.113.7");
        assertFalse(stun.receive(StunCodec.response(otherId, mapped, 41641, false), server), "unknown ID is not ours");
        assertTrue(stun.receive(StunCodec.response(id, mapped, 41641, false), server));
        assertEquals(new InetSocketAddress(mapped, 41641), await(tx.response()).mapped());
        assertEquals(0, stun.inFlight());
        assertFalse(stun.receive(StunCodec.response(id, mapped, 41641, false), server), "answered only once");
    }

    @Test
    void unansweredTransactionTimesOutAndIsForgotten() throws Exception {
        Context context = vertx.getOrCreateContext();
        StunTransactions stun = new StunTransactions(vertx, context, (d, t) -> Future.succeededFuture(), 8);
        StunTransactions.Transaction tx = onContext(context, () -> stun.start(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 9), Duration.ofMillis(50)));
        assertTrue(tx.response().toCompletionStage().toCompletableFuture()
                .handle((r, e) -> e != null).get(5, TimeUnit.SECONDS));
        assertEquals(0, stun.inFlight());
    }

    /** A responder that reports the sender's address, with its port shifted by {@code portShift}. */
    private DatagramSocket responder(int portShift) throws Exception {
        DatagramSocket socket = vertx.createDatagramSocket();
        socket.handler(p -> {
            StunCodec.Validation v = StunCodec.validate(p.data());
            if (v.request() != null) {
                try {
                    socket.send(StunCodec.response(v.request().transactionId(),
                            InetAddress.getByName(p.sender().hostAddress()), p.sender().port() + portShift, false),
                            p.sender().port(), p.sender().hostAddress());
                } catch (java.net.UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        return await(socket.listen(0, "127.0.0.1"));
    }

    private static DerpMap stunOnlyMap(int... ports) {
        Map<Long, DerpRegion> regions = new java.util.TreeMap<>();
        for (int i = 0; i < ports.length; i++) {
            long id = 900 + i;
            regions.put(id, DerpRegion.of(false, id, "s" + i, "STUN " + i,
                    List.of(DerpNode.stunOnly(id + "stun0", id, "127.0.0.1", ports[i]))));
        }
        return DerpMap.of(regions);
    }

    private int localPort;

    private NetcheckReport report(DerpMap map) throws Exception {
        StandaloneNetcheck netcheck = await(StandaloneNetcheck.open(vertx, vertx.getOrCreateContext()));
        try {
            NetcheckReport report = await(netcheck.report(map, line -> { }));
            localPort = netcheck.localPortV4();
            return report;
        } finally {
            netcheck.close();
        }
    }

    @Test
    void mappingVariesWhenTwoServersSeeDifferentPorts() throws Exception {
        NetcheckReport report = report(stunOnlyMap(responder(0).localAddress().port(), responder(1).localAddress().port()));
        assertTrue(report.udp());
        assertTrue(report.ipv4());
        assertEquals(Boolean.TRUE, report.mappingVariesByDestIp());
        assertEquals(2, report.regionV4Latency().size());
        assertEquals(0, report.preferredDerp(), "STUN-only regions are never home");
    }

    @Test
    void mappingDoesNotVaryWhenServersAgree() throws Exception {
        NetcheckReport report = report(stunOnlyMap(responder(0).localAddress().port(), responder(0).localAddress().port()));
        assertEquals(Boolean.FALSE, report.mappingVariesByDestIp());
        assertEquals("127.0.0.1:" + localPort, report.globalV4(), "the reflexive address is the probe socket's");
        assertEquals(2, report.regionLatency().size());
    }

    @Test
    void silentServerGivesNoUdpAndNoEndpointWithinTheTimeout() throws Exception {
        DatagramSocket silent = await(vertx.createDatagramSocket().listen(0, "127.0.0.1"));
        StandaloneNetcheck netcheck = await(StandaloneNetcheck.open(vertx, vertx.getOrCreateContext()));
        try {
            NetcheckReport report = await(netcheck.report(stunOnlyMap(silent.localAddress().port()), line -> { }));
            assertFalse(report.udp());
            assertEquals("", report.globalV4());
            assertEquals(0, report.preferredDerp());
            assertTrue(report.mappingVariesByDestIp() == null);
        } finally {
            netcheck.close();
        }
    }

    @Test
    void planSkipsNodesWithStunOffAndCyclesThroughTheRest() {
        DerpRegion region = DerpRegion.of(false, 1, "r", "R", List.of(
                DerpNode.relay("1a", 1, "a.example", 443, -1, false),
                DerpNode.relay("1b", 1, "b.example", 443, 0, false),
                DerpNode.stunOnly("1c", 1, "c.example", 3479)));
        var plan = ProbePlan.initial(DerpMap.of(Map.of(1L, region)), java.util.EnumSet.of(IpFamily.V4));
        assertEquals(List.of("region-1-v4"), List.copyOf(plan.keySet()));
        assertEquals(List.of("1b", "1c", "1b"), plan.get("region-1-v4").stream().map(p -> p.node().name()).toList());
        assertEquals(Duration.ofMillis(200), plan.get("region-1-v4").get(2).delay());
    }
}
