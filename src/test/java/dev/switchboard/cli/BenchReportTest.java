package dev.switchboard.cli;

import dev.switchboard.bench.LatencyStats;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench tools' shared printer and options: the lines scripts read stay byte for byte what they were. */
class BenchReportTest {
    private static final LatencyStats STATS = new LatencyStats(3, 1_250_000, 2_000_000, 3_500_500, 9_999_999);

    @Test
    void humanLinesThenOneJsonLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status = new BenchReport("stun")
                .line("stun: %d sent, loss %.3f%%", 10, 0.0)
                .line("server RSS: %.1f MiB", 1.25)
                .field("sent", 10).field("seconds", 1.23456, 3).field("requests_per_second", 8100.4, 0)
                .field("loss_percent", 0.0, 4).field("collected", true).field("rss_before", -1)
                .print(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
        assertEquals(0, status);
        assertEquals("""
                stun: 10 sent, loss 0.000%
                server RSS: 1.3 MiB
                {"bench":"stun","sent":10,"seconds":1.235,"requests_per_second":8100,"loss_percent":0.0000,\
                "collected":true,"rss_before":-1}
                """, bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
    }

    @Test
    void latencyFieldsAsBefore() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status = new BenchReport("derp-latency").field("size", 64).latency(STATS)
                .print(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        assertEquals(1, status);
        assertEquals("{\"bench\":\"derp-latency\",\"size\":64,\"samples\":3,\"p50_ms\":1.250,\"p90_ms\":2.000,"
                + "\"p99_ms\":3.501,\"max_ms\":10.000}", bytes.toString(StandardCharsets.UTF_8).strip());
    }

    @Test
    void relayAndPidOptionsAreSharedMixins() {
        DerpLatencyBenchCommand latency = new DerpLatencyBenchCommand();
        new CommandLine(latency).parseArgs("--url", "https://relay.example/derp", "--websocket");
        assertEquals(URI.create("https://relay.example/derp"), latency.relay.url);
        assertTrue(latency.relay.webSocket);

        ConnsBenchCommand conns = new ConnsBenchCommand();
        new CommandLine(conns).parseArgs("--pid", "42");
        assertEquals(URI.create("http://127.0.0.1:3000/derp"), conns.relay.url);
        assertFalse(conns.relay.webSocket);
        assertEquals(42L, conns.server.pid);

        StunBenchCommand stun = new StunBenchCommand();
        new CommandLine(stun).parseArgs();
        assertFalse(stun.server.present());
        assertTrue(stun.server.residentBytes().isEmpty());
    }
}
