package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derpmap.DerpMap;
import dev.switchboard.derpmap.DerpNode;
import dev.switchboard.derpmap.DerpRegion;
import dev.switchboard.stun.StunCodec;
import dev.switchboard.tailnet.netcheck.IpFamily;
import dev.switchboard.tailnet.netcheck.NetcheckReport;
import dev.switchboard.tailnet.netcheck.StunSender;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The re-STUN loop over a fake socket whose "STUN server" answers at once with a new mapped port each time. */
class EndpointDiscoveryTest {
    private static final DerpMap MAP = DerpMap.of(Map.of(900L, DerpRegion.of(false, 900, "s", "STUN", List.of(
            DerpNode.stunOnly("900stun0", 900, "127.0.0.1", 3478)))));
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void reportsNeverOverlapAndARequestDuringOneRunsRightAfterIt() throws Exception {
        Context context = vertx.getOrCreateContext();
        InetAddress mapped = InetAddress.getByName("203.0.113.7");
        Drops drops = new Drops();
        AtomicInteger requests = new AtomicInteger();
        List<NetcheckReport> reports = new CopyOnWriteArrayList<>();
        EndpointDiscovery[] discovery = new EndpointDiscovery[1];
        StunSender server = (datagram, target) -> {
            byte[] id = StunCodec.validate(datagram).request().transactionId();
            int port = 40_000 + requests.incrementAndGet();
            context.runOnContext(v -> discovery[0].onStunResponse(
                    StunCodec.response(id, mapped, port, false).getBytes(), target));
            return Future.succeededFuture();
        };
        context.runOnContext(v -> {
            discovery[0] = new EndpointDiscovery(vertx, context, server, EnumSet.of(IpFamily.V4), drops, reports::add);
            discovery[0].setMap(MAP);
            discovery[0].reStun("test"); // while the first runs: remembered, not a second report in parallel
        });
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> reports.size() >= 2);
        Thread.sleep(300);
        assertEquals(2, reports.size(), "one queued report, then only the periodic one (20-26 s)");
        assertEquals(2, requests.get(), "one answered probe per report");
        assertEquals(List.of("203.0.113.7:40001", "203.0.113.7:40002"),
                reports.stream().map(NetcheckReport::globalV4).toList());

        CompletableFuture<Long> unmatched = new CompletableFuture<>();
        context.runOnContext(v -> {
            discovery[0].onStunResponse(StunCodec.response(new byte[12], mapped, 1, false).getBytes(),
                    new java.net.InetSocketAddress(mapped, 3478));
            discovery[0].close();
            unmatched.complete(drops.get(MagicDrop.STUN_UNHANDLED));
        });
        assertEquals(1L, unmatched.get(5, TimeUnit.SECONDS), "an answer to no request of ours is counted");
    }
}
