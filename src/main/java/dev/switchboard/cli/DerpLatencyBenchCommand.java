package dev.switchboard.cli;

import dev.switchboard.bench.DerpLatency;
import dev.switchboard.bench.LatencyStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code switchboard bench derp-latency}: idle round trips through the relay, one packet in flight. */
@Command(name = "derp-latency", mixinStandardHelpOptions = true,
        description = "Ping-pong round trips between two DERP clients through the relay: p50/p99.")
public class DerpLatencyBenchCommand implements Callable<Integer> {
    @ParentCommand
    BenchCommand bench;

    @Mixin
    RelayOptions relay;

    @Option(names = "--count", defaultValue = "10000", description = "Round trips timed (default ${DEFAULT-VALUE})")
    int count;

    @Option(names = "--size", defaultValue = "64", description = "Packet bytes (default ${DEFAULT-VALUE})")
    int size;

    @Override
    public Integer call() throws Exception {
        LatencyStats stats = DerpLatency.run(bench.vertx(), relay.url, relay.webSocket, count, size, 2000);
        return new BenchReport("derp-latency")
                .line("derp round trip, %d B: %s", size, stats.human())
                .field("size", size).latency(stats)
                .print(true);
    }
}
