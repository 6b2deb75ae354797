package dev.switchboard.cli;

import dev.switchboard.tailnet.engine.Engine;
import dev.switchboard.tailnet.engine.EngineOptions;
import dev.switchboard.tailnet.engine.PingResult;
import dev.switchboard.tailnet.magicsock.AddrPorts;
import dev.switchboard.tailnet.magicsock.PathChange;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import static dev.switchboard.cli.AgentSession.await;

/**
 * {@code switchboard ping <agent-id>}: joins the tailnet as a client of that agent and pings it over the tunnel,
 * printing what {@code coder ping} prints (coder/coder {@code cli/ping.go}): one line per pong with its path, the
 * moment p2p is established, with {@code -v} the peer diagnostics and path changes, the verdict and the summary
 * table — or all of it as JSON with {@code -o json}. Exit 1 when no pong came back. Runs without Quarkus.
 */
@Command(name = "ping", mixinStandardHelpOptions = true,
        description = "Ping a workspace agent over the tailnet (p2p or through DERP) and report the path.")
public class PingCommand implements Callable<Integer> {
    /** Replaced by tests; the process environment otherwise. */
    Map<String, String> env = System.getenv();
    /** Ctrl-C ends the loop and still prints the summary; tests leave the JVM's handlers alone. */
    boolean handleSigint = true;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ClientTailnetOptions tailnet;

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

    private String agent;
    private PrintWriter out;
    private PrintWriter err;
    private boolean json;
    private volatile boolean interrupted;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        UUID agentId = tailnet.agentId();
        agent = tailnet.agent;
        json = outputJson();
        if (num != null && num < 1) {
            throw new UsageError("-n", "a positive number of pings, not " + num);
        }
        EngineOptions options = tailnet.engineOptions(env);
        if (options.disableDirect()) {
            line(err, "Direct connections disabled.");
        }
        Thread main = Thread.currentThread();
        if (handleSigint) {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> {
                interrupted = true;
                main.interrupt();
            });
        }
        try (AgentSession session = AgentSession.start(options, this::pathChanged)) {
            Optional<String> refusal = session.awaitAgent(timeout);
            if (refusal.isPresent()) {
                line(err, "switchboard: ping: " + refusal.get());
                return 1;
            }
            if (verbose && !json) {
                diagnostics(session.engine, agentId);
            }
            PingSummary summary = run(session.engine, agentId);
            if (json) {
                line(out, summary.json().encode());
            } else {
                line(out, summary.table());
            }
            return summary.successful() > 0 ? 0 : 1;
        }
    }

    private boolean outputJson() {
        if (!output.equals("text") && !output.equals("json")) {
            throw new UsageError("--output", "text or json, not \"" + output + "\"");
        }
        return output.equals("json");
    }

    /** {@code -v}: the peer diagnostics {@code coder ping} prints before pinging. */
    private void diagnostics(Engine engine, UUID agentId) throws InterruptedException {
        try {
            PeerDiagnosticsLines.lines(await(engine.diagnostics(agentId), Duration.ofSeconds(5)))
                    .forEach(l -> line(err, l));
        } catch (ExecutionException | TimeoutException e) {
            line(err, "✘ diagnostics unavailable: " + e.getMessage());
        }
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
                PingResult pong = await(engine.ping(agentId, AgentSession.PING_PAYLOAD, timeout),
                        timeout.plusSeconds(1));
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

    private static void line(PrintWriter w, String text) {
        w.println(text);
        w.flush();
    }

    /** {@code -v}: path changes on stderr. */
    private void pathChanged(UUID peer, PathChange change) {
        if (verbose && !json) {
            line(err, "path to " + peer + ": now direct via " + AddrPorts.format(change.to().addr()));
        }
    }
}
