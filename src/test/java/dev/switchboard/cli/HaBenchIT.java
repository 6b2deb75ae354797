package dev.switchboard.cli;

import dev.switchboard.config.PgConnectionUrl;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench ha} end to end, small: 2 packaged replicas on a throw-away database of TEST_PG_URL, 20 agents and
 * their clients. The figures are real: every timed update arrived at every client, the storm wrote rows, and the
 * database is gone afterwards. Runs after {@code package} (failsafe).
 */
@EnabledIfEnvironmentVariable(named = "TEST_PG_URL", matches = ".+")
// About 30 s on a quiet machine; replicas alone took 25 s to start when the two cores were shared with other builds.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HaBenchIT {
    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

    @Test
    void twoReplicasTwentyAgentsCountEveryUpdateAndTheStormsWrites() throws Exception {
        List<String> databasesBefore = benchDatabases();
        assertTrue(Files.exists(JAR), JAR + ": run after package (./mvnw verify)");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        int code;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            code = ClientCli.execute(new CommandLine(new SwitchboardCommand()).setErr(new PrintWriter(err, true)),
                    "bench", "ha", "--pg-url", System.getenv("TEST_PG_URL"), "--replicas", "2", "--agents", "20",
                    "--rounds", "2", "--command", java + " -jar " + JAR + " server",
                    "--log", "target/bench-ha-it.log");
        } finally {
            System.setOut(stdout);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, code, String.join("\n", lines) + "\n" + err);
        JsonObject json = new JsonObject(lines.getLast());
        assertEquals("ha", json.getString("bench"));
        assertEquals(40, json.getInteger("expected"));
        assertEquals(40, json.getInteger("samples"), lines.getLast());
        assertTrue(json.getDouble("p50_ms") > 0 && json.getDouble("p50_ms") <= json.getDouble("max_ms"), lines.getLast());
        assertTrue(json.getInteger("reconverge_ms") > 0 && json.getBoolean("settled"), lines.getLast());
        assertTrue(json.getLong("storm_rows") > 0 && json.getDouble("peak_rows_per_s") > 0, lines.getLast());
        assertTrue(json.getDouble("rows_per_peer") > 0, lines.getLast());
        assertEquals(databasesBefore, benchDatabases(), "the throw-away database is dropped");
    }

    private static List<String> benchDatabases() throws Exception {
        PgConnectionUrl server = PgConnectionUrl.parse(System.getenv("TEST_PG_URL"));
        try (Connection connection = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'sb_bench_%'"
                     + " ORDER BY datname")) {
            List<String> names = new ArrayList<>();
            while (rows.next()) {
                names.add(rows.getString(1));
            }
            return names;
        }
    }
}
