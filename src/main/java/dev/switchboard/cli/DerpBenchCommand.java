package dev.switchboard.cli;

import dev.switchboard.bench.DerpLoad;
import dev.switchboard.bench.DerpSink;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code switchboard bench derp}: P sender/receiver pairs through a relay; throughput, loss, one-way latency. */
@Command(name = "derp", mixinStandardHelpOptions = true,
        description = "P pairs of real DERP clients: delivered packets/s, Mbit/s, loss and one-way latency.")
public class DerpBenchCommand implements Callable<Integer> {
    @ParentCommand
    BenchCommand bench;

    @Mixin
    RelayOptions relay;

    @Option(names = "--pairs", defaultValue = "4", description = "Sender/receiver pairs (default ${DEFAULT-VALUE})")
    int pairs;

    @Option(names = "--size", defaultValue = "1200", description = "Packet bytes (default ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--seconds", defaultValue = "10", description = "Measured sending time (default ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--warmup", defaultValue = "2", description = "Seconds of sending before the measured time, left out of the figures (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--pps", defaultValue = "0", description = "Packets/s per pair; 0 = unpaced (default)")
    int pps;

    @Option(names = "--sink", description = "Send into an in-process sink instead of a relay: the tool's own ceiling")
    boolean sink;

    @Override
    public Integer call() throws Exception {
        DerpLoad.Plan plan = new DerpLoad.Plan(relay.url, relay.webSocket, pairs, size, Duration.ofSeconds(warmup),
                Duration.ofSeconds(seconds), pps);
        DerpLoad.Result result;
        if (sink) {
            try (DerpSink target = new DerpSink(bench.vertx())) {
                result = new DerpLoad(bench.vertx(), plan).runInto(target);
            }
        } else {
            result = new DerpLoad(bench.vertx(), plan).run();
        }
        return new BenchReport("derp")
                .line("derp%s: %d pairs x %d B, %s: %d sent, %d delivered: %.0f pkt/s, %.1f Mbit/s, loss %.3f%%",
                        sink ? " (sink)" : "", pairs, size, pps == 0 ? "unpaced" : pps + " pkt/s per pair",
                        result.sent(), result.received(), result.packetsPerSecond(), result.megabitsPerSecond(),
                        result.lossPercent())
                .line("one-way latency: %s", result.latency().human())
                .field("sink", sink).field("pairs", pairs).field("size", size).field("pps_per_pair", pps)
                .field("warmup_s", warmup).field("sent", result.sent()).field("delivered", result.received())
                .field("packets_per_second", result.packetsPerSecond(), 0)
                .field("mbit_per_second", result.megabitsPerSecond(), 1)
                .field("loss_percent", result.lossPercent(), 4).latency(result.latency())
                .print(result.sent() > 0 && result.lossPercent() == 0);
    }
}
