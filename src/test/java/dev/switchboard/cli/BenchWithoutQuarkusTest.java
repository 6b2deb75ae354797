package dev.switchboard.cli;

import dev.switchboard.testing.TestRelay;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A bench tool runs on plain picocli and its own Vert.x: only its report on stdout, no Quarkus. */
class BenchWithoutQuarkusTest {
    @Test
    void derpLatencyRunsAgainstARelayAndPrintsOnlyItsReport() {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int code;
        try (TestRelay relay = TestRelay.start()) {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            code = ClientCli.execute("bench", "derp-latency", "--url",
                    "http://127.0.0.1:" + relay.port() + "/derp", "--count", "20");
        } finally {
            System.setOut(stdout);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, code, String.join("\n", lines));
        assertEquals(2, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(1).startsWith("{\"bench\":\"derp-latency\",\"size\":64,\"samples\":20,"), lines.get(1));
    }
}
