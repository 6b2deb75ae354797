package dev.switchboard.cli;

import dev.switchboard.coordinator.client.CoordinatorEvent;
import dev.switchboard.tailnet.engine.Engine;
import dev.switchboard.tailnet.engine.EngineEvents;
import dev.switchboard.tailnet.engine.EngineOptions;
import dev.switchboard.tailnet.magicsock.AddrPorts;
import dev.switchboard.tailnet.magicsock.PathChange;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code switchboard agent}: a workspace agent's tailnet side. Coordinates at
 * {@code /api/v2/workspaceagents/me/coordinate} (reconnecting with backoff), answers pings on its tailnet
 * addresses, logs them and every path change on stderr, and on SIGTERM sends Disconnect and exits 0.
 * Runs without Quarkus ({@link ClientCli}).
 */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Run a workspace agent's tailnet peer: coordinate, answer pings, log path changes on stderr.")
public class AgentCommand implements Callable<Integer> {
    /** Replaced by tests; the process environment otherwise. */
    Map<String, String> env = System.getenv();
    /** Completed by SIGTERM; tests complete it themselves (and leave the JVM's handlers alone). */
    final CompletableFuture<Void> stop = new CompletableFuture<>();
    boolean handleSigterm = true;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--url", description = "Server URL (default: $CODER_URL)")
    String url;

    @Option(names = "--token", description = "Agent token (default: $CODER_AGENT_TOKEN)")
    String token;

    @Option(names = "--udp-bind", description = "UDP ip:port of the magic socket (default: $CODER_AGENT_UDP_BIND, "
            + "else 0.0.0.0:0)")
    String udpBind;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        String agentToken = TailnetFlags.required("--token", token, env, "CODER_AGENT_TOKEN");
        UUID agentId = subject(agentToken);
        InetSocketAddress bind = TailnetFlags.udpBind(udpBind, env, "CODER_AGENT_UDP_BIND");
        EngineOptions options = new EngineOptions(TailnetFlags.serverUrl("--url", url, env), agentToken, true, agentId,
                bind.getAddress().getHostAddress(), bind.getPort(), false, false);
        Vertx vertx = Vertx.vertx();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        if (handleSigterm) {
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> stop.complete(null));
        }
        try {
            Engine engine = Engine.start(vertx, options, new Log(err, exit)).toCompletionStage().toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            err.println("agent " + agentId + ": tailnet addresses " + String.join(", ", engine.addresses())
                    + ", UDP port " + engine.udpPort());
            err.flush();
            stop.thenRun(() -> exit.complete(0));
            int code = exit.get();
            engine.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            err.println("agent " + agentId + ": disconnected");
            err.flush();
            return code;
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
    }

    /** The agent's ID is its token's subject ({@code sub}); the server verifies the token, here it is only read. */
    static UUID subject(String token) {
        String[] parts = token.split("\\.");
        try {
            JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]),
                    StandardCharsets.UTF_8));
            return UUID.fromString(claims.getString("sub"));
        } catch (RuntimeException e) {
            throw new UsageError("--token", "an agent token (a JWT whose sub is the agent's UUID)");
        }
    }

    /** Coordinator and path events as one stderr line each; a refusal ends the agent (exit 1). */
    private record Log(PrintWriter err, CompletableFuture<Integer> exit) implements EngineEvents {
        @Override
        public void coordinator(CoordinatorEvent event) {
            switch (event) {
                case CoordinatorEvent.Connected c -> line("coordinator connected" + (c.resumed() ? " (resumed)" : ""));
                case CoordinatorEvent.ConnectionLost l -> line("coordinator connection lost (" + l.reason()
                        + "), retrying in " + l.retryIn().toMillis() + " ms");
                case CoordinatorEvent.Rejected r -> {
                    line("coordinator refused the agent: HTTP " + r.status() + " " + r.message());
                    exit.complete(1);
                }
                case CoordinatorEvent.PeerChange p -> line("peer " + p.peer() + ": " + p.kind()
                        + (p.reason().isEmpty() ? "" : " (" + p.reason() + ")"));
                case CoordinatorEvent.ServerError e -> line("coordinator error: " + e.error());
                case CoordinatorEvent.Closed c -> line("coordinator closed: " + c.reason());
            }
        }

        @Override
        public void pathChanged(UUID peer, PathChange change) {
            line("peer " + peer + ": direct path now " + AddrPorts.format(change.to().addr()) + " ("
                    + change.to().latencyNanos() / 1000 + " µs)");
        }

        private void line(String text) {
            err.println(text);
            err.flush();
        }
    }
}
