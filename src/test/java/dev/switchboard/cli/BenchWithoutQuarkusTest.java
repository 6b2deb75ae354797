package dev.switchboard.cli;

import dev.switchboard.bench.FreshServer;
import dev.switchboard.testing.TestRelay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    @Test
    void coldStartNeedsAWarmWindowToCompareWith() {
        assertEquals("switchboard: --runs: at least 2 (the last is the warm one)",
                usageError("bench", "cold-start", "--runs", "1"));
    }

    @Test
    void coldStartRefusesANegativePrimingCount() {
        assertEquals("switchboard: --prime-starts: 0 or more", usageError("bench", "cold-start", "--prime-starts", "-1"));
    }

    /** Runs a command that must fail as a usage error (exit 2); what it printed on stderr. */
    private static String usageError(String... args) {
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new SwitchboardCommand()).setErr(new PrintWriter(err, true));
        assertEquals(2, ClientCli.execute(commandLine, args));
        return err.toString().strip();
    }

    @Test
    void aServerThatExitsBeforeReadyIsReported(@TempDir Path dir) {
        Exception failure = assertThrows(IllegalStateException.class,
                () -> FreshServer.start(List.of("sh", "-c", "exit 3"), Map.of(), dir.resolve("server.log")));
        assertEquals("the server exited with status 3 before it was ready (see its log)", failure.getMessage());
    }
}
