package dev.switchboard.cli;

import dev.switchboard.coordinator.client.CoordinatorEvent;
import dev.switchboard.tailnet.engine.Engine;
import dev.switchboard.tailnet.engine.EngineEvents;
import dev.switchboard.tailnet.engine.EngineOptions;
import dev.switchboard.tailnet.forward.AgentForwarder;
import dev.switchboard.tailnet.forward.PortRanges;
import dev.switchboard.tailnet.magicsock.AddrPorts;
import dev.switchboard.tailnet.magicsock.PathChange;
import dev.switchboard.tailnet.speedtest.SpeedtestServer;
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
 * addresses, serves Tailscale's speed test on tailnet TCP port 3 and forwards every other allowed tailnet TCP port to
 * {@code 127.0.0.1} (as Coder's agent does for {@code coder speedtest} and {@code coder port-forward}), logs
 * coordinator events and every path change on stderr, and on SIGTERM sends Disconnect and exits 0. Runs without
 * Quarkus ({@link ClientCli}).
 */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Run a workspace agent's tailnet peer: coordinate, answer pings and speed tests, forward TCP "
                + "ports to localhost, log path changes on stderr.")
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

    @Option(names = "--allow-ports", description = "Tailnet TCP ports forwarded to 127.0.0.1, e.g. 22,80,8000-8999 "
            + "(default: all); others are refused")
    String allowPorts;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PortRanges forwarded = allowedPorts();
        String agentToken = TailnetFlags.required("--token", token, env, "CODER_AGENT_TOKEN");
        UUID agentId = subject(agentToken);
        InetSocketAddress bind = TailnetFlags.udpBind(udpBind, env, "CODER_AGENT_UDP_BIND");
        EngineOptions options = new EngineOptions(TailnetFlags.serverUrl("--url", url, env), agentToken, true, agentId,
                bind.getAddress().getHostAddress(), bind.getPort(), false, false);
        Vertx vertx = CliVertx.create();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        if (handleSigterm) {
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> stop.complete(null));
        }
        try {
            Engine engine = Engine.start(vertx, options, new Log(err, exit)).toCompletionStage().toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            engine.listen(SpeedtestServer.PORT, socket -> SpeedtestServer.serve(vertx, socket, socket))
                    .compose(l -> AgentForwarder.start(vertx, engine, forwarded))
                    .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            err.println("agent " + agentId + ": tailnet addresses " + String.join(", ", engine.addresses())
                    + ", UDP port " + engine.udpPort() + ", speedtest on TCP port " + SpeedtestServer.PORT
                    + ", forwarding TCP ports " + forwarded + " to 127.0.0.1");
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

    private PortRanges allowedPorts() {
        if (allowPorts == null) {
            return PortRanges.ALL;
        }
        try {
            return PortRanges.parse(allowPorts);
        } catch (IllegalArgumentException e) {
            throw new UsageError("--allow-ports", e.getMessage());
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
