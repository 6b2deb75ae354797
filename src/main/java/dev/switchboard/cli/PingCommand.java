package dev.switchboard.cli;

import dev.switchboard.coordinator.client.CoordinatorEvent;
import dev.switchboard.tailnet.engine.Engine;
import dev.switchboard.tailnet.engine.EngineEvents;
import dev.switchboard.tailnet.engine.EngineOptions;
import dev.switchboard.tailnet.engine.PingResult;
import dev.switchboard.tailnet.magicsock.AddrPorts;
import dev.switchboard.tailnet.magicsock.PathChange;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code switchboard ping <agent-id>}: joins the tailnet as a client of that agent and pings it over the tunnel,
 * printing what {@code coder ping} prints (coder/coder {@code cli/ping.go}): one line per pong with its path, the
 * moment p2p is established, with {@code -v} the peer diagnostics and path changes, the verdict and the summary
 * table — or all of it as JSON with {@code -o json}. Exit 1 when no pong came back. Runs without Quarkus.
 */
@Command(name = "ping", mixinStandardHelpOptions = true,
        description = "Ping a workspace agent over the tailnet (p2p or through DERP) and report the path.")
public class PingCommand implements Callable<Integer> {
    /** Every echo carries this, so a capture can tell our pings apart. */
    static final byte[] PAYLOAD = "switchboard ping".getBytes(StandardCharsets.US_ASCII);

    /** Replaced by tests; the process environment otherwise. */
    Map<String, String> env = System.getenv();
    /** Ctrl-C ends the loop and still prints the summary; tests leave the JVM's handlers alone. */
    boolean handleSigint = true;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<agent-id>", description = "The agent's UUID")
    String agent;

    @Option(names = "--url", description = "Server URL (default: $CODER_URL)")
    String url;

    @Option(names = "--token", description = "Session token (default: $CODER_SESSION_TOKEN)")
    String token;

    @Option(names = {"-n", "--num"}, description = "Number of pings (default: until interrupted)")
    Integer num;

    @Option(names = "--wait", defaultValue = "1s", converter = GoDurationOption.Converter.class,
            description = "Interval between pings (default ${DEFAULT-VALUE})")
    Duration wait;

    @Option(names = {"-t", "--timeout"}, defaultValue = "5s", converter = GoDurationOption.Converter.class,
            description = "Per-ping timeout (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "-v", description = "Peer diagnostics and path changes on stderr")
    boolean verbose;

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json (default ${DEFAULT-VALUE})")
    String output;

    @Option(names = "--disable-direct-connections",
            description = "Relay everything through DERP (or set CODER_DISABLE_DIRECT_CONNECTIONS=true)")
    boolean disableDirect;

    @Option(names = "--udp-bind", description = "UDP ip:port of the magic socket (default: $CODER_UDP_BIND, "
            + "else 0.0.0.0:0)")
    String udpBind;

    private PrintWriter out;
    private PrintWriter err;
    private boolean json;
    private volatile boolean interrupted;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        UUID agentId = agentId();
        json = outputJson();
        if (num != null && num < 1) {
            throw new UsageError("-n", "a positive number of pings, not " + num);
        }
        InetSocketAddress bind = TailnetFlags.udpBind(udpBind, env, "CODER_UDP_BIND");
        boolean relayOnly = TailnetFlags.flagOrEnv(disableDirect, env, "CODER_DISABLE_DIRECT_CONNECTIONS");
        EngineOptions options = new EngineOptions(TailnetFlags.serverUrl("--url", url, env),
                TailnetFlags.required("--token", token, env, "CODER_SESSION_TOKEN"), false, agentId,
                bind.getAddress().getHostAddress(), bind.getPort(), relayOnly, false);
        if (relayOnly) {
            line(err, "Direct connections disabled.");
        }
        Vertx vertx = Vertx.vertx();
        CompletableFuture<String> refused = new CompletableFuture<>();
        Thread main = Thread.currentThread();
        if (handleSigint) {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> {
                interrupted = true;
                main.interrupt();
            });
        }
        try {
            Engine engine = get(Engine.start(vertx, options, new Events(refused)), Duration.ofSeconds(30));
            try {
                Optional<String> refusal = awaitAgent(engine, agentId, refused);
                if (refusal.isPresent()) {
                    line(err, "switchboard: ping: " + refusal.get());
                    return 1;
                }
                PingSummary summary = run(engine, agentId);
                if (json) {
                    line(out, summary.json().encode());
                } else {
                    line(out, summary.table());
                }
                return summary.successful() > 0 ? 0 : 1;
            } finally {
                Thread.interrupted();
                get(engine.close(), Duration.ofSeconds(5));
            }
        } finally {
            Thread.interrupted();
            get(vertx.close(), Duration.ofSeconds(5));
        }
    }

    private UUID agentId() {
        try {
            return UUID.fromString(agent);
        } catch (IllegalArgumentException e) {
            throw new UsageError("<agent-id>", "the agent's UUID, not \"" + agent + "\"");
        }
    }

    private boolean outputJson() {
        if (!output.equals("text") && !output.equals("json")) {
            throw new UsageError("--output", "text or json, not \"" + output + "\"");
        }
        return output.equals("json");
    }

    /**
     * Waits until the agent has our node (READY_FOR_HANDSHAKE), or the timeout (older agents never say), then sends
     * one silent ping so the diagnostics see a handshake and the loop starts on the best path known (Coder's step 3).
     */
    private Optional<String> awaitAgent(Engine engine, UUID agentId, CompletableFuture<String> refused)
            throws InterruptedException {
        CompletableFuture<Object> ready = CompletableFuture.anyOf(
                engine.awaitReady(agentId).toCompletionStage().toCompletableFuture(), refused);
        try {
            Object result = ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (result instanceof String refusal) {
                return Optional.of(refusal);
            }
        } catch (ExecutionException | TimeoutException e) {
            // Go on: the pings say whether the agent is reachable.
        }
        try {
            get(engine.ping(agentId, PAYLOAD, timeout), timeout.plusSeconds(1));
        } catch (ExecutionException | TimeoutException e) {
            // Reported by the loop's own pings.
        }
        if (verbose && !json) {
            try {
                PeerDiagnosticsLines.lines(get(engine.diagnostics(agentId), Duration.ofSeconds(5)))
                        .forEach(l -> line(err, l));
            } catch (ExecutionException | TimeoutException e) {
                line(err, "✘ diagnostics unavailable: " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    private PingSummary run(Engine engine, UUID agentId) throws InterruptedException {
        PingSummary summary = new PingSummary(agent);
        Instant start = Instant.now();
        boolean didP2p = false;
        boolean lastDirect = false;
        InetSocketAddress lastPath = null;
        for (int seq = 1; !interrupted && (num == null || seq <= num); seq++) {
            if (seq > 1 && sleep(wait)) {
                break;
            }
            Instant at = Instant.now();
            try {
                PingResult pong = get(engine.ping(agentId, PAYLOAD, timeout), timeout.plusSeconds(1));
                String region = pong.derpRegion().map(engine::regionName).orElse(null);
                summary.add(new PingSummary.Pong(seq, at, Optional.of(pong.latency()), pong.direct(),
                        Optional.ofNullable(region), Optional.empty()));
                if (pong.direct() && !didP2p && !json) {
                    line(out, PingLines.p2pEstablished(Duration.between(start, Instant.now())));
                }
                didP2p |= pong.direct();
                lastDirect = pong.direct();
                lastPath = pong.via();
                if (!json) {
                    line(out, pong.direct() ? PingLines.pongDirect(agent, AddrPorts.format(pong.via()), pong.latency())
                            : PingLines.pongRelayed(agent, region, pong.latency()));
                }
            } catch (ExecutionException | TimeoutException e) {
                boolean timedOut = e instanceof TimeoutException || e.getCause() instanceof TimeoutException;
                String error = timedOut ? "timed out" : String.valueOf(e.getCause().getMessage());
                summary.add(new PingSummary.Pong(seq, at, Optional.empty(), false, Optional.empty(),
                        Optional.of(error)));
                if (!json) {
                    line(out, timedOut ? PingLines.timedOut(agent) : PingLines.failed(agent, error));
                }
            }
        }
        if (!json && summary.successful() > 0) {
            line(err, PingLines.footer(lastDirect, lastDirect && lastPath.getAddress().isSiteLocalAddress()));
        }
        return summary;
    }

    /** Sleeps unless interrupted (Ctrl-C); true if it was. */
    private boolean sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return false;
        } catch (InterruptedException e) {
            return true;
        }
    }

    private static <T> T get(Future<T> f, Duration within)
            throws ExecutionException, TimeoutException, InterruptedException {
        return f.toCompletionStage().toCompletableFuture().get(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void line(PrintWriter w, String text) {
        w.println(text);
        w.flush();
    }

    /** {@code -v}: path changes on stderr; a coordinator refusal ends the command. */
    private final class Events implements EngineEvents {
        private final CompletableFuture<String> refused;

        Events(CompletableFuture<String> refused) {
            this.refused = refused;
        }

        @Override
        public void coordinator(CoordinatorEvent event) {
            if (event instanceof CoordinatorEvent.Rejected r) {
                refused.complete("coordinator refused: HTTP " + r.status() + " " + r.message());
            }
        }

        @Override
        public void pathChanged(UUID peer, PathChange change) {
            if (verbose && !json) {
                line(err, "path to " + peer + ": now direct via " + AddrPorts.format(change.to().addr()));
            }
        }
    }
}
