package dev.switchboard.cli;

import dev.switchboard.testing.TestRelay;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code switchboard netcheck} without Quarkus: JSON on stdout, the notice on stderr, one-line failures. */
class NetcheckCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Map<String, String> env, String... args) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine commandLine = new CommandLine(new SwitchboardCommand(), new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                K made = defaults.create(type);
                if (made instanceof NetcheckCommand netcheck) {
                    netcheck.env = env;
                }
                return made;
            }
        });
        commandLine.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        return ClientCli.execute(commandLine, args);
    }

    @Test
    void missingOrBadUrlIsAOneLineUsageError() {
        assertEquals(2, run(Map.of(), "netcheck"));
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("switchboard: --url: "), err.toString());
        assertEquals(2, run(Map.of(), "netcheck", "--url", "ftp://x"));
        assertEquals("", out.toString());
    }

    @Test
    void unreachableServerIsAOneLineFailure() {
        assertEquals(1, run(Map.of("CODER_URL", "http://127.0.0.1:1"), "netcheck"));
        String[] lines = err.toString().strip().split("\n");
        assertEquals(2, lines.length, err.toString());
        assertEquals("Gathering a network report. This may take a few seconds...", lines[0]);
        assertTrue(lines[1].startsWith("switchboard: netcheck: cannot reach http://127.0.0.1:1"), lines[1]);
        assertEquals("", out.toString());
    }

    @Test
    void printsTheReportForTheServersMap() throws Exception {
        try (TestRelay relay = TestRelay.start()) {
            Vertx vertx = relay.vertx();
            String map = "{\"derp_map\":{\"Regions\":{\"999\":{\"EmbeddedRelay\":true,\"RegionID\":999,\"RegionCode\":"
                    + "\"coder\",\"RegionName\":\"Coder Embedded Relay\",\"Nodes\":[{\"Name\":\"999b\",\"RegionID\":999,"
                    + "\"HostName\":\"127.0.0.1\",\"STUNPort\":-1,\"DERPPort\":" + relay.port() + ",\"ForceHTTP\":true}]}}},"
                    + "\"derp_force_websockets\":false}";
            HttpServer api = TestRelay.await(vertx.createHttpServer().requestHandler(r -> r.response()
                    .putHeader("Content-Type", "application/json").end(map)).listen(0, "127.0.0.1"));
            assertEquals(0, run(Map.of(), "netcheck", "--url", "http://127.0.0.1:" + api.actualPort()), err.toString());
            JsonObject json = new JsonObject(out.toString());
            JsonObject node = json.getJsonObject("derp").getJsonObject("regions").getJsonObject("999")
                    .getJsonArray("node_reports").getJsonObject(0);
            assertTrue(node.getBoolean("can_exchange_messages"), out.toString());
            assertTrue(json.getJsonObject("interfaces").containsKey("interfaces"));
            TestRelay.await(api.close());
        }
    }
}
