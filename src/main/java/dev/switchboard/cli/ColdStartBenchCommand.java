package dev.switchboard.cli;

import dev.switchboard.bench.DerpLatency;
import dev.switchboard.bench.DerpLoad;
import dev.switchboard.bench.DerpSink;
import dev.switchboard.bench.FreshServer;
import dev.switchboard.bench.LatencyStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code switchboard bench cold-start}: the cold-start rows of bench/README.md from fresh servers. For each start:
 * exec the server command, time it to listening ({@code /healthz}) and to ready (every readiness check UP, the
 * relay's warm-up included), then run paced DERP windows back to back — the first one is what a pod
 * that has just started serves, the last one the warm figure — and the idle round trip. The tool warms its own
 * clients against an in-process sink first, and then goes once through the whole cycle against a server it does not
 * count, so the first window measures the server's coldness, not the tool's: its code for spawning, polling and
 * connecting was otherwise compiled during the first counted start (-Xlog:jit+compilation: ~1200 compiles in the
 * two seconds after the sink, against ~300 around each later start), and that start was the slowest of every run.
 */
@Command(name = "cold-start", mixinStandardHelpOptions = true,
        description = "Fresh servers: start to ready, first paced run after readiness against the warm one, idle round trip.")
public class ColdStartBenchCommand implements Callable<Integer> {
    @ParentCommand
    BenchCommand bench;

    @Mixin
    ServerCommandOption serverCommand;

    @Option(names = "--starts", defaultValue = "3", description = "Fresh servers, one after the other (default ${DEFAULT-VALUE})")
    int starts;

    @Option(names = "--runs", defaultValue = "3", description = "Paced windows per server; the last is the warm one (default ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--pairs", defaultValue = "4", description = "Sender/receiver pairs (default ${DEFAULT-VALUE})")
    int pairs;

    @Option(names = "--size", defaultValue = "1200", description = "Packet bytes (default ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--pps", defaultValue = "5000", description = "Packets/s per pair (default ${DEFAULT-VALUE})")
    int pps;

    @Option(names = "--seconds", defaultValue = "5", description = "Length of each window (default ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--tool-warmup", defaultValue = "8", description = "Seconds the tool sends into its own sink first (default ${DEFAULT-VALUE})")
    int toolWarmup;

    @Option(names = "--prime-starts", defaultValue = "1", description = "Starts run and reported but not counted, "
            + "before the counted ones, so the tool's own code is compiled (default ${DEFAULT-VALUE})")
    int primeStarts;

    @Option(names = "--idle-count", defaultValue = "20000", description = "Idle round trips after the windows; 0 = none (default ${DEFAULT-VALUE})")
    int idleCount;

    @Option(names = "--log", defaultValue = "target/bench-cold-start.log", description = "Server output, appended (default ${DEFAULT-VALUE})")
    Path log;

    @Override
    public Integer call() throws Exception {
        if (primeStarts < 0) {
            throw new UsageError("--prime-starts", "0 or more");
        }
        if (starts < 1 || runs < 2) {
            throw new UsageError(starts < 1 ? "--starts" : "--runs", starts < 1 ? "at least 1" : "at least 2 (the last is the warm one)");
        }
        warmTool();
        ServerCommandOption.logFile(log);
        BenchReport report = new BenchReport("cold-start");
        List<Long> readyMillis = new ArrayList<>();
        List<Long> listeningMillis = new ArrayList<>();
        List<String> p99s = new ArrayList<>();
        List<String> idle = new ArrayList<>();
        double worstRatio = 0;
        for (int p = 1; p <= primeStarts; p++) {
            Start primed = measure();
            report.line("priming start %d (not counted): listening in %d ms, ready in %d ms; paced p99 by window %s ms",
                    p, primed.listeningMillis(), primed.readyMillis(), primed.windows(" "));
        }
        for (int s = 1; s <= starts; s++) {
            Start start = measure();
            double ratio = start.p99()[0] / start.p99()[runs - 1];
            worstRatio = Math.max(worstRatio, ratio);
            String idleText = "";
            if (start.idle() != null) {
                idle.add(ms(start.idle().p99Nanos() / 1e6));
                idleText = String.format(Locale.ROOT, "; idle round trip p50 %.3f ms, p99 %.3f ms",
                        start.idle().p50Nanos() / 1e6, start.idle().p99Nanos() / 1e6);
            }
            readyMillis.add(start.readyMillis());
            listeningMillis.add(start.listeningMillis());
            p99s.add("[" + start.windows(",") + "]");
            report.line("start %d: listening in %d ms, ready in %d ms; paced p99 by window %s ms; first/warm %.2f%s",
                    s, start.listeningMillis(), start.readyMillis(), start.windows(" "), ratio, idleText);
        }
        return report.line("worst first/warm ratio %.2f (target <= 1.20)", worstRatio)
                .field("pairs", pairs).field("size", size).field("pps_per_pair", pps).field("seconds", seconds)
                .raw("listening_ms", listeningMillis.toString()).raw("ready_ms", readyMillis.toString()).raw("p99_ms", p99s.toString())
                .raw("idle_p99_ms", idle.toString()).field("worst_ratio", worstRatio, 2)
                .print(true);
    }

    /** What one fresh server did: {@code idle} is null with {@code --idle-count 0}. */
    private record Start(long listeningMillis, long readyMillis, double[] p99, LatencyStats idle) {
        String windows(String separator) {
            return Arrays.stream(p99).mapToObj(ColdStartBenchCommand::ms).collect(Collectors.joining(separator));
        }
    }

    private Start measure() throws Exception {
        try (FreshServer server = FreshServer.start(serverCommand.argv(), Map.of(), log)) {
            long listening = server.startToListening().toMillis();
            long ready = server.awaitReadiness().toMillis();
            double[] p99 = new double[runs];
            for (int r = 0; r < runs; r++) {
                p99[r] = paced(server).latency().p99Nanos() / 1e6;
            }
            LatencyStats idle = idleCount > 0
                    ? DerpLatency.run(bench.vertx(), server.derpUrl(), false, idleCount, 64, 2000) : null;
            return new Start(listening, ready, p99, idle);
        }
    }

    private void warmTool() throws Exception {
        DerpLoad.Plan plan = new DerpLoad.Plan(null, false, pairs, size, Duration.ZERO, Duration.ofSeconds(toolWarmup), pps);
        try (DerpSink sink = new DerpSink(bench.vertx())) {
            new DerpLoad(bench.vertx(), plan).runInto(sink);
        }
    }

    /** One window that starts the moment its clients are connected: no warm-up is left out. */
    private DerpLoad.Result paced(FreshServer server) throws Exception {
        DerpLoad.Plan plan = new DerpLoad.Plan(server.derpUrl(), false, pairs, size, Duration.ZERO,
                Duration.ofSeconds(seconds), pps);
        return new DerpLoad(bench.vertx(), plan).run();
    }

    private static String ms(double millis) {
        return String.format(Locale.ROOT, "%.3f", millis);
    }
}
