package dev.switchboard.diagnostics;

import dev.switchboard.derpmap.DerpMap;
import dev.switchboard.derpmap.DerpNode;
import dev.switchboard.derpmap.DerpRegion;
import dev.switchboard.stun.StunCodec;
import dev.switchboard.tailnet.netcheck.StandaloneNetcheck;
import dev.switchboard.testing.TestRelay;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The DERP report against a real relay and STUN responder on loopback, a dead node, a STUN-only node, WebSocket. */
class DerpHealthCheckTest {
    private final Vertx vertx = Vertx.vertx();
    private final TestRelay relay = TestRelay.start();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        relay.close();
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(25, TimeUnit.SECONDS);
    }

    /** Answers Tailscale Binding requests with the sender's own address, as our server's responder does. */
    private int stunResponder() throws Exception {
        DatagramSocket socket = vertx.createDatagramSocket();
        socket.handler(p -> {
            StunCodec.Validation v = StunCodec.validate(p.data());
            if (v.request() != null) {
                try {
                    socket.send(StunCodec.response(v.request().transactionId(),
                            InetAddress.getByName(p.sender().hostAddress()), p.sender().port(), false),
                            p.sender().port(), p.sender().hostAddress());
                } catch (java.net.UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        return await(socket.listen(0, "127.0.0.1")).localAddress().port();
    }

    private static DerpMap map(DerpRegion... regions) {
        Map<Long, DerpRegion> byId = new java.util.TreeMap<>();
        for (DerpRegion r : regions) {
            byId.put(r.regionId(), r);
        }
        return DerpMap.of(byId);
    }

    private record Run(DerpHealthReport report, int localPort) {
    }

    private Run run(DerpMap map, boolean forceWebsockets) throws Exception {
        StandaloneNetcheck netcheck = await(StandaloneNetcheck.open(vertx, vertx.getOrCreateContext()));
        try {
            return new Run(await(new DerpHealthCheck(vertx, netcheck, forceWebsockets).run(map)), netcheck.localPortV4());
        } finally {
            netcheck.close();
        }
    }

    private DerpRegion embedded(int stunPort) {
        return DerpRegion.of(true, 999, "coder", "Coder Embedded Relay",
                List.of(DerpNode.relay("999b", 999, "127.0.0.1", relay.port(), stunPort, true)));
    }

    @Test
    void healthyRelayExchangesMessagesAndAnswersStun() throws Exception {
        int stun = stunResponder();
        DerpRegion stunOnly = DerpRegion.of(false, 1000, "coder_stun_1000", "Coder STUN 1000",
                List.of(DerpNode.stunOnly("1000stun0", 1000, "127.0.0.1", stun)));
        Run run = run(map(embedded(stun), stunOnly), false);
        DerpHealthReport report = run.report();
        assertEquals(Severity.OK, report.severity(), report.toString());
        assertTrue(report.healthy());
        DerpNodeReport node = report.regions().get(999L).nodeReports().get(0);
        assertTrue(node.canExchangeMessages(), node.toString());
        assertFalse(node.roundTripPing().isEmpty());
        assertFalse(node.usesWebsocket());
        assertTrue(node.stun().canStun());
        DerpNodeReport stunNode = report.regions().get(1000L).nodeReports().get(0);
        assertEquals(Severity.OK, stunNode.severity());
        assertFalse(stunNode.canExchangeMessages(), "STUN-only nodes are not dialled");
        assertTrue(stunNode.stun().canStun());
        assertEquals("127.0.0.1:" + run.localPort(), report.netcheck().globalV4());
        assertEquals(Boolean.FALSE, report.netcheck().mappingVariesByDestIp());
        assertEquals(999, report.netcheck().preferredDerp(), "the STUN-only region is faster or not, never home");
    }

    @Test
    void deadNodeIsAnErrorWithinTheNodeTimeout() throws Exception {
        DerpRegion dead = DerpRegion.of(false, 5, "dead", "Dead",
                List.of(DerpNode.relay("5a", 5, "127.0.0.1", 1, -1, true)));
        long start = System.nanoTime();
        DerpHealthReport report = run(map(embedded(-1), dead), false).report();
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "bounded by the node timeout");
        DerpRegionReport region = report.regions().get(5L);
        assertEquals(Severity.ERROR, region.severity());
        assertFalse(region.healthy());
        DerpNodeReport node = region.nodeReports().get(0);
        assertFalse(node.canExchangeMessages());
        assertNotNull(node.error());
        assertFalse(node.clientErrs().get(0).isEmpty());
        assertEquals(Severity.ERROR, report.severity());
        assertFalse(report.healthy());
        assertEquals(Severity.OK, report.regions().get(999L).severity());
    }

    @Test
    void forcedWebsocketsAreUsedWithoutAFallbackWarning() throws Exception {
        DerpHealthReport report = run(map(embedded(-1)), true).report();
        DerpNodeReport node = report.regions().get(999L).nodeReports().get(0);
        assertTrue(node.usesWebsocket());
        assertTrue(node.canExchangeMessages(), node.toString());
        assertEquals(List.of(), node.warnings());
        assertNull(node.stun().error());
        assertFalse(node.stun().enabled());
    }

    @Test
    void jsonHasCodersShape() throws Exception {
        DerpHealthReport derp = run(map(embedded(-1)), false).report();
        InterfacesReport interfaces = InterfacesReport.of(List.of());
        JsonObject json = new JsonObject(new NetworkReport(derp, interfaces).toIndentedJson());
        JsonObject d = json.getJsonObject("derp");
        assertEquals("ok", d.getString("severity"));
        JsonObject node = d.getJsonObject("regions").getJsonObject("999").getJsonArray("node_reports").getJsonObject(0);
        assertTrue(node.getBoolean("can_exchange_messages"));
        assertTrue(node.containsKey("round_trip_ping_ms"));
        assertEquals("999b", node.getJsonObject("node").getString("Name"));
        assertFalse(node.getJsonObject("stun").getBoolean("Enabled"));
        assertTrue(d.getJsonObject("netcheck").containsKey("MappingVariesByDestIP"));
        assertTrue(d.getJsonObject("netcheck").containsKey("RegionLatency"));
        assertEquals("ok", json.getJsonObject("interfaces").getString("severity"));
    }

    @Test
    void lowMtuInterfaceIsWarnedAndLinkLocalOnlyOnesAreLeftOut() throws Exception {
        InterfacesReport report = InterfacesReport.of(List.of(
                new InterfacesReport.Candidate("eth0", true, 1500, List.of(InetAddress.getByName("10.0.0.5"),
                        InetAddress.getByName("fd00::2"), InetAddress.getByName("fe80::fc:ff:fe00:1%1")), List.of(24, 64, 64)),
                new InterfacesReport.Candidate("wg0", true, 1280, List.of(InetAddress.getByName("100.64.0.1")), List.of(32)),
                new InterfacesReport.Candidate("ll0", true, 1500, List.of(InetAddress.getByName("fe80::1")), List.of(64)),
                new InterfacesReport.Candidate("down0", false, 1500, List.of(InetAddress.getByName("10.1.0.5")), List.of(24))));
        assertEquals(List.of("eth0", "wg0"), report.interfaces().stream().map(InterfacesReport.Interface::name).toList());
        assertEquals(List.of("10.0.0.5/24", "fd00::2/64", "fe80::fc:ff:fe00:1/64"), report.interfaces().get(0).addresses());
        assertEquals(Severity.WARNING, report.severity());
        assertEquals(List.of("EIF01"), report.warnings().stream().map(HealthMessage::code).toList());
    }
}
