package dev.switchboard.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bench ha} refuses bad options before it starts a replica or touches a database: one line, exit 2. */
class HaBenchCommandTest {
    private static final String PG = "--pg-url=postgres://postgres@127.0.0.1:1/postgres";

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            PG + " --replicas=1 | switchboard: --replicas: at least 2 (each client coordinates on another replica than its agent)",
            PG + " --agents=0 | switchboard: --agents: at least 1",
            PG + " --rounds=0 | switchboard: --rounds: at least 1",
            PG + " --sample-interval=5s | switchboard: --sample-interval: 100ms to 1s",
            "--pg-url=mysql://db/x | switchboard: --pg-url: a postgres:// or postgresql:// URL (postgres://user:password@host:5432/database?sslmode=disable)",
            "--pg-url=postgres://db/ | switchboard: --pg-url: a URL naming the database (postgres://user:password@host:5432/database?sslmode=disable)",
    })
    void badOptionsAreUsageErrors(String args, String expected) {
        assertEquals(expected, run(args.split(" ")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--replicas=3 | switchboard: ha: Missing required option: '--pg-url=<pgUrl>' (see --help)",
            PG + " --agents=many | switchboard: --agents: 'many' is not an int",
            PG + " --round-spacing=soon | switchboard: --round-spacing: a positive duration such as 500ms, 1s or 1m30s, not \"soon\"",
    })
    void malformedOptionsAreUsageErrorsToo(String args, String expected) {
        assertEquals(expected, run(args.split(" ")));
    }

    @Test
    void moreAgentsThanTheOpenFilesLimitAllowsAreRefused() {
        String line = run(PG, "--agents=100000000");
        assertTrue(line.startsWith("switchboard: --agents: at most ") && line.endsWith(", ulimit -n)"), line);
    }

    /** The stderr of {@code switchboard bench ha ARGS}, which must exit 2. */
    private static String run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new SwitchboardCommand()).setErr(new PrintWriter(err, true));
        List<String> argv = new ArrayList<>(List.of("bench", "ha"));
        argv.addAll(List.of(args));
        int code = ClientCli.execute(commandLine, argv.toArray(String[]::new));
        assertEquals(2, code, err.toString());
        return err.toString().strip();
    }
}
