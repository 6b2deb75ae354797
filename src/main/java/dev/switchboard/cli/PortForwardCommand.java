package dev.switchboard.cli;

import dev.switchboard.tailnet.engine.EngineOptions;
import dev.switchboard.tailnet.forward.LocalForwarder;
import io.vertx.core.Future;
import io.vertx.core.net.NetServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static dev.switchboard.cli.AgentSession.await;

/**
 * {@code switchboard port-forward <agent-id> --tcp [host:]LOCAL:REMOTE …}: {@code coder port-forward}
 * (coder/coder {@code cli/portforward.go}) over the tunnel: a local listener per {@code --tcp}, each accepted
 * connection carried over its own tunnel TCP connection to the agent, which dials {@code 127.0.0.1:REMOTE} in the
 * workspace. Runs until SIGINT or SIGTERM; exit 1 if a local port cannot be bound. Runs without Quarkus.
 */
@Command(name = "port-forward", mixinStandardHelpOptions = true,
        description = "Forward local TCP ports to ports in a workspace over the tailnet.")
public class PortForwardCommand implements Callable<Integer> {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(5);

    /** Replaced by tests; the process environment otherwise. */
    Map<String, String> env = System.getenv();
    /** Completed by SIGINT or SIGTERM; tests complete it themselves (and leave the JVM's handlers alone). */
    final CompletableFuture<Void> stop = new CompletableFuture<>();
    boolean handleSignals = true;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ClientTailnetOptions tailnet;

    @Option(names = "--tcp", required = true, paramLabel = "[host:]LOCAL:REMOTE",
            description = "Forward local TCP port LOCAL (on host, default 127.0.0.1) to REMOTE in the workspace; "
                    + "repeatable")
    List<String> tcp;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        List<ForwardSpec> specs = tcp.stream().map(ForwardSpec::parse).toList();
        EngineOptions options = tailnet.engineOptions(env);
        if (handleSignals) {
            for (String signal : List.of("INT", "TERM")) {
                sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> stop.complete(null));
            }
        }
        try (AgentSession session = AgentSession.start(options, (peer, change) -> { })) {
            Optional<String> refusal = session.awaitAgent(READY_TIMEOUT);
            if (refusal.isPresent()) {
                line(err, "switchboard: port-forward: " + refusal.get());
                return 1;
            }
            List<NetServer> servers = new ArrayList<>();
            try {
                for (ForwardSpec forward : specs) {
                    servers.add(await(LocalForwarder.start(session.vertx, session.engine, session.agentId,
                            forward.host(), forward.localPort(), forward.remotePort()), READY_TIMEOUT));
                    line(err, "Forwarding '" + forward.localUrl() + "' locally to 'tcp://127.0.0.1:"
                            + forward.remotePort() + "' in the workspace");
                }
            } catch (ExecutionException e) {
                line(err, "switchboard: port-forward: listen: " + e.getCause().getMessage());
                return 1;
            }
            line(err, "Ready!");
            stop.join();
            await(Future.join(servers.stream().map(NetServer::close).toList()), READY_TIMEOUT);
            return 0;
        }
    }

    private static void line(PrintWriter w, String text) {
        w.println(text);
        w.flush();
    }
}
