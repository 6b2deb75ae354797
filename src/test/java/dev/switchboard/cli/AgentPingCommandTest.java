package dev.switchboard.cli;

import dev.switchboard.auth.Role;
import dev.switchboard.auth.TokenService;
import io.quarkus.test.common.http.TestHTTPResource;
import dev.switchboard.testing.LoopbackAccessUrl;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.StringWriter;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code switchboard agent} and {@code switchboard ping} in-process against the real server, on loopback. */
@QuarkusTest
@TestProfile(LoopbackAccessUrl.class)
class AgentPingCommandTest {
    @TestHTTPResource("/")
    URL root;

    @Inject
    TokenService tokens;

    private final UUID agentId = UUID.randomUUID();
    private final StringWriter agentErr = new StringWriter();
    private AgentCommand agent;
    private CompletableFuture<Integer> agentExit;
    private int agentPort;

    private String url() {
        return "http://127.0.0.1:" + root.getPort();
    }

    @BeforeEach
    void startAgent() {
        Map<String, String> env = Map.of("CODER_URL", url(), "CODER_AGENT_TOKEN",
                tokens.mint(agentId, Role.AGENT, List.of(), Duration.ofHours(1)),
                "CODER_AGENT_UDP_BIND", "127.0.0.1:0");
        List<Object> made = new CopyOnWriteArrayList<>();
        CommandLine cl = TestCommandLine.create(env, new StringWriter(), agentErr, made);
        agentExit = CompletableFuture.supplyAsync(() -> ClientCli.execute(cl, "agent"));
        Pattern port = Pattern.compile("UDP port (\\d+)");
        Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> port.matcher(agentErr.toString()).find()
                || agentExit.isDone());
        Matcher m = port.matcher(agentErr.toString());
        assertTrue(m.find(), agentErr.toString());
        agentPort = Integer.parseInt(m.group(1));
        agent = TestCommandLine.made(made, AgentCommand.class);
    }

    @AfterEach
    void stopAgent() throws Exception {
        agent.stop.complete(null);
        assertEquals(0, agentExit.get(10, TimeUnit.SECONDS), agentErr.toString());
        assertTrue(agentErr.toString().contains("disconnected"), agentErr.toString());
    }

    private record Run(int code, String out, String err) {
    }

    private Run ping(String... args) {
        Map<String, String> env = Map.of("CODER_URL", url(), "CODER_SESSION_TOKEN",
                tokens.mint(UUID.randomUUID(), Role.USER, List.of(agentId), Duration.ofHours(1)));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 1];
        all[0] = "ping";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = ClientCli.execute(TestCommandLine.create(env, out, err, new ArrayList<>()), all);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void pingGoesPeerToPeerOverLoopback() {
        Run run = ping(agentId.toString(), "-n", "5", "--wait", "300ms", "--udp-bind", "127.0.0.1:0", "-v");
        assertEquals(0, run.code(), run.out() + run.err());
        String p2p = "pong from " + agentId + " p2p via 127.0.0.1:" + agentPort + " in ";
        assertTrue(run.out().contains(p2p), run.out());
        assertEquals(1, run.out().split("p2p connection established in ", -1).length - 1, run.out());
        assertTrue(run.out().contains("WORKSPACE"), run.out());
        assertTrue(run.err().contains("✔ preferred DERP region: 999 (Coder Embedded Relay)"), run.err());
        assertTrue(run.err().contains("✔ sent local data to Coder networking coordinator"), run.err());
        assertTrue(run.err().contains("endpoints: 127.0.0.1:" + agentPort), run.err());
        assertTrue(run.err().contains("✔ You are connected directly (p2p)"), run.err());
        assertTrue(agentErr.toString().contains("direct path now"), agentErr.toString());
    }

    @Test
    void relayOnlyPingIsProxiedThroughTheEmbeddedRelay() {
        Run run = ping(agentId.toString(), "-n", "3", "--wait", "100ms", "--disable-direct-connections");
        assertEquals(0, run.code(), run.out() + run.err());
        long proxied = run.out().lines().filter(l -> l.matches(
                "pong from " + agentId + " proxied via DERP\\(Coder Embedded Relay\\) in \\d+(\\.\\d+)?m?s")).count();
        assertEquals(3, proxied, run.out());
        assertTrue(!run.out().contains(" p2p via "), run.out());
        assertTrue(run.err().contains("❗ You are connected via a DERP relay, not directly (p2p)"), run.err());
    }

    @Test
    void jsonOutputIsOneDocument() {
        Run run = ping(agentId.toString(), "-n", "2", "--wait", "100ms", "-o", "json");
        assertEquals(0, run.code(), run.err());
        JsonObject json = new JsonObject(run.out().strip());
        assertEquals(2, json.getJsonArray("pongs").size());
        assertEquals(2, json.getJsonObject("summary").getInteger("successful"));
        assertEquals(1, json.getJsonArray("pongs").getJsonObject(0).getInteger("sequence"));
    }

    @Test
    void noPongIsExitOneAndBadUsageIsOneLine() {
        Run missing = ping(UUID.randomUUID().toString(), "-n", "1", "-t", "500ms");
        assertEquals(1, missing.code(), missing.out() + missing.err());

        Run bad = ping("not-a-uuid");
        assertEquals(2, bad.code());
        assertEquals("switchboard: <agent-id>: the agent's UUID, not \"not-a-uuid\"\n", bad.err());
        assertEquals("", bad.out());
    }
}
