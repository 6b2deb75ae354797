package dev.switchboard.cli;

import dev.switchboard.diagnostics.GoDuration;
import dev.switchboard.tailnet.engine.EngineOptions;
import dev.switchboard.tailnet.engine.PingResult;
import dev.switchboard.tailnet.speedtest.Direction;
import dev.switchboard.tailnet.speedtest.SpeedtestClient;
import dev.switchboard.tailnet.speedtest.SpeedtestResult;
import dev.switchboard.tailnet.speedtest.SpeedtestServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import static dev.switchboard.cli.AgentSession.await;

/**
 * {@code switchboard speedtest <agent-id>}: Tailscale's speed test against the agent's tailnet port 3 over the
 * tunnel, printed as {@code coder speedtest} prints it (coder/coder {@code cli/speedtest.go}): the path
 * ({@code 29ms via direct} or {@code … via coder}; with {@code -d} after waiting for a direct path), {@code Starting a
 * 5s download test...} on stderr, then the interval table or JSON on stdout. Runs without Quarkus.
 */
@Command(name = "speedtest", mixinStandardHelpOptions = true,
        description = "Measure throughput to or from a workspace agent over the tailnet.")
public class SpeedtestCommand implements Callable<Integer> {
    /** How often {@code -d} pings while waiting for a direct path. */
    private static final Duration DIRECT_POLL = Duration.ofSeconds(1);
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(5);

    /** Replaced by tests; the process environment otherwise. */
    Map<String, String> env = System.getenv();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ClientTailnetOptions tailnet;

    @Option(names = {"-d", "--direct"}, description = "Wait for a direct (p2p) connection before the test")
    boolean direct;

    @Option(names = "--direction", defaultValue = "down",
            description = "down: the agent sends; up: this side sends (default ${DEFAULT-VALUE})")
    String direction;

    @Option(names = {"-t", "--time"}, defaultValue = "5s", converter = GoDurationOption.Converter.class,
            description = "Test duration, 5s to 30s (default ${DEFAULT-VALUE})")
    Duration time;

    @Option(names = {"-o", "--output"}, defaultValue = "table",
            description = "table or json (default ${DEFAULT-VALUE})")
    String output;

    private PrintWriter err;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        Direction dir = direction();
        boolean json = outputJson();
        if (time.compareTo(SpeedtestClient.MIN_DURATION) < 0 || time.compareTo(SpeedtestClient.MAX_DURATION) > 0) {
            throw new UsageError("--time", "between 5s and 30s, not " + GoDuration.format(time));
        }
        EngineOptions options = tailnet.engineOptions(env);
        if (direct && options.disableDirect()) {
            throw new UsageError("--direct", "cannot wait for a direct connection with direct connections disabled");
        }
        if (options.disableDirect()) {
            line(err, "Direct connections disabled.");
        }
        try (AgentSession session = AgentSession.start(options, (peer, change) -> { })) {
            Optional<String> refusal = session.awaitAgent(PING_TIMEOUT);
            if (refusal.isPresent()) {
                line(err, "switchboard: speedtest: " + refusal.get());
                return 1;
            }
            line(err, path(session));
            line(err, "Starting a " + time.toSeconds() + "s " + dir.label() + " test...");
            List<SpeedtestResult> results = await(session.engine.connect(session.agentId, SpeedtestServer.PORT)
                    .compose(socket -> SpeedtestClient.run(session.vertx, socket, socket, dir, time)),
                    time.multipliedBy(3).plusSeconds(10));
            if (results.isEmpty()) {
                line(err, "switchboard: speedtest: no results (the test was shorter than 10 ms)");
                return 1;
            }
            line(out, json ? SpeedtestReport.json(results).encode() : SpeedtestReport.table(results));
            return 0;
        } catch (ExecutionException e) {
            line(err, "switchboard: speedtest: " + e.getCause().getMessage());
            return 1;
        } catch (TimeoutException e) {
            line(err, "switchboard: speedtest: timed out");
            return 1;
        }
    }

    /**
     * One ping's {@code <N>ms via <direct|region code>}; with {@code -d} repeated each second, as
     * {@code Waiting for a direct connection... (…)}, until the pong comes back directly.
     */
    private String path(AgentSession session) throws InterruptedException {
        while (true) {
            try {
                PingResult pong = await(session.engine.ping(session.agentId, AgentSession.PING_PAYLOAD, PING_TIMEOUT),
                        PING_TIMEOUT.plusSeconds(1));
                String via = pong.direct() ? "direct" : pong.derpRegion().map(session.engine::regionCode).orElse("");
                String text = pong.latency().toMillis() + "ms via " + via;
                if (!direct || pong.direct()) {
                    return text;
                }
                line(err, "Waiting for a direct connection... (" + text + ")");
            } catch (ExecutionException | TimeoutException e) {
                if (!direct) {
                    return "ping before the test failed: " + e.getMessage();
                }
            }
            Thread.sleep(DIRECT_POLL.toMillis());
        }
    }

    private Direction direction() {
        return switch (direction) {
            case "down" -> Direction.DOWNLOAD;
            case "up" -> Direction.UPLOAD;
            default -> throw new UsageError("--direction", "up or down, not \"" + direction + "\"");
        };
    }

    private boolean outputJson() {
        if (!output.equals("table") && !output.equals("json")) {
            throw new UsageError("--output", "table or json, not \"" + output + "\"");
        }
        return output.equals("json");
    }

    private static void line(PrintWriter w, String text) {
        w.println(text);
        w.flush();
    }
}
