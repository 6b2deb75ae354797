package dev.switchboard.cli;

import dev.switchboard.diagnostics.GoDuration;
import dev.switchboard.tailnet.engine.Diagnostics;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The pure formatting behind {@code switchboard ping}: Coder's lines, table, JSON and diagnostics. */
class PingOutputTest {
    private static final String WS = "3f1e6f1a-2b3c-4d5e-8f90-0123456789ab";

    @Test
    void durationsPrintAsGoDoes() {
        assertEquals("3ms", GoDuration.format(Duration.ofNanos(3_400_000), Duration.ofMillis(1)));
        assertEquals("4ms", GoDuration.format(Duration.ofNanos(3_500_000), Duration.ofMillis(1)));
        assertEquals("1.234s", GoDuration.format(Duration.ofMillis(1234), Duration.ofMillis(1)));
        assertEquals("1m5s", GoDuration.format(Duration.ofSeconds(65), Duration.ofSeconds(1)));
        assertEquals("0s", GoDuration.format(Duration.ofNanos(100_000), Duration.ofMillis(1)));
        assertEquals("1.5ms", GoDuration.format(Duration.ofNanos(1_500_000)));
    }

    @Test
    void goDurationsParse() {
        assertEquals(Duration.ofMillis(500), GoDurationOption.parse("500ms"));
        assertEquals(Duration.ofSeconds(90), GoDurationOption.parse("1m30s"));
        assertEquals(Duration.ofMillis(1500), GoDurationOption.parse("1.5s"));
        assertNull(GoDurationOption.parse("5"));
        assertNull(GoDurationOption.parse("0s"));
        assertNull(GoDurationOption.parse("1s x"));
    }

    @Test
    void pongLinesMatchCoder() {
        assertEquals("pong from ws p2p via 127.0.0.1:41641 in 3ms",
                PingLines.pongDirect("ws", "127.0.0.1:41641", Duration.ofMillis(3)));
        assertEquals("pong from ws proxied via DERP(Coder Embedded Relay) in 42ms",
                PingLines.pongRelayed("ws", "Coder Embedded Relay", Duration.ofMillis(42)));
        assertEquals("pong from ws proxied via DERP(unknown) in 42ms",
                PingLines.pongRelayed("ws", "", Duration.ofMillis(42)));
        assertEquals("p2p connection established in 1.2s", PingLines.p2pEstablished(Duration.ofMillis(1200)));
        assertEquals("ping to \"ws\" timed out", PingLines.timedOut("ws"));
        assertEquals("✔ You are connected directly (p2p), over a private network", PingLines.footer(true, true));
    }

    @Test
    void summaryTableAndJsonCountEveryAttempt() {
        PingSummary s = new PingSummary(WS);
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        s.add(new PingSummary.Pong(1, t, Optional.of(Duration.ofMillis(2)), true, Optional.empty(), Optional.empty()));
        s.add(new PingSummary.Pong(2, t, Optional.of(Duration.ofMillis(4)), false, Optional.of("Coder Embedded Relay"),
                Optional.empty()));
        s.add(new PingSummary.Pong(3, t, Optional.empty(), false, Optional.empty(), Optional.of("timed out")));
        assertEquals(2.0, s.varianceMs(), 1e-9);
        assertEquals("""
                WORKSPACE                             TOTAL  SUCCESSFUL  MIN  AVG  MAX  VARIANCE
                3f1e6f1a-2b3c-4d5e-8f90-0123456789ab  3      2           2ms  3ms  4ms  2ms""", s.table());
        JsonObject json = s.json();
        assertEquals(3, json.getJsonArray("pongs").size());
        assertEquals(new JsonObject().put("sequence", 3).put("time", "2026-01-01T00:00:00Z").putNull("latency_ms")
                .put("direct", false).putNull("derp_region").put("error", "timed out"),
                json.getJsonArray("pongs").getJsonObject(2));
        assertEquals("Coder Embedded Relay", json.getJsonArray("pongs").getJsonObject(1).getString("derp_region"));
        assertEquals(2, json.getJsonObject("summary").getInteger("successful"));
        assertEquals(3.0, json.getJsonObject("summary").getDouble("avg_ms"), 1e-9);
    }

    @Test
    void diagnosticsShowEachCheck() {
        Diagnostics ok = new Diagnostics(999, "Coder Embedded Relay", true, true, Optional.of(new Diagnostics.Peer(999,
                "Coder Embedded Relay", List.of("10.0.0.5:37993"), Optional.of(Duration.ofSeconds(11)))), false, true);
        assertEquals(List.of("✔ preferred DERP region: 999 (Coder Embedded Relay)",
                "✔ sent local data to Coder networking coordinator",
                "✔ received remote agent data from Coder networking coordinator",
                "    preferred DERP region: 999 (Coder Embedded Relay)",
                "    endpoints: 10.0.0.5:37993",
                "✔ Wireguard handshake 11s ago",
                "❗ Your Coder administrator has blocked direct connections",
                "   " + PingLines.DOCS + "#disabled-deployment-wide"), PeerDiagnosticsLines.lines(ok));
        Diagnostics none = new Diagnostics(999, "Coder Embedded Relay", false, false, Optional.empty(), true, false);
        assertEquals(List.of("✘ not connected to DERP",
                "✘ have not sent local data to Coder networking coordinator",
                "✘ have not received remote agent data from Coder networking coordinator",
                "✘ Wireguard is not connected",
                "❗ Direct connections are disabled locally, by --disable-direct-connections or "
                        + "CODER_DISABLE_DIRECT_CONNECTIONS."), PeerDiagnosticsLines.lines(none));
        Diagnostics stale = new Diagnostics(1, "R", true, true, Optional.of(new Diagnostics.Peer(1, "R", List.of(),
                Optional.of(Duration.ofMinutes(6)))), false, false);
        assertEquals("⚠ Wireguard handshake 6m0s ago", PeerDiagnosticsLines.lines(stale).get(5));
    }
}
