package dev.switchboard.cli;

import dev.switchboard.bench.DerpLoad;
import dev.switchboard.bench.DerpSink;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code switchboard bench derp}: P sender/receiver pairs through a relay; throughput, loss, one-way latency. */
@Command(name = "derp", mixinStandardHelpOptions = true,
        description = "P pairs of real DERP clients: delivered packets/s, Mbit/s, loss and one-way latency.")
public class DerpBenchCommand implements Callable<Integer> {
    @Inject
    Vertx vertx;

    @Mixin
    RelayUrlOption relay;

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

    @Option(names = "--websocket", description = "DERP over WebSocket")
    boolean webSocket;

    @Option(names = "--sink", description = "Send into an in-process sink instead of a relay: the tool's own ceiling")
    boolean sink;

    @Override
    public Integer call() throws Exception {
        DerpLoad.Plan plan = new DerpLoad.Plan(relay.url, webSocket, pairs, size, Duration.ofSeconds(warmup),
                Duration.ofSeconds(seconds), pps);
        DerpLoad.Result result;
        if (sink) {
            try (DerpSink target = new DerpSink(vertx)) {
                result = new DerpLoad(vertx, plan).runInto(target);
            }
        } else {
            result = new DerpLoad(vertx, plan).run();
        }
        System.out.printf(Locale.ROOT, "derp%s: %d pairs x %d B, %s: %d sent, %d delivered: %.0f pkt/s, %.1f Mbit/s, loss %.3f%%%n",
                sink ? " (sink)" : "", pairs, size, pps == 0 ? "unpaced" : pps + " pkt/s per pair", result.sent(),
                result.received(), result.packetsPerSecond(), result.megabitsPerSecond(), result.lossPercent());
        System.out.println("one-way latency: " + result.latency().human());
        System.out.printf(Locale.ROOT, "{\"bench\":\"derp\",\"sink\":%b,\"pairs\":%d,\"size\":%d,\"pps_per_pair\":%d,\"warmup_s\":%d,"
                        + "\"sent\":%d,\"delivered\":%d,\"packets_per_second\":%.0f,\"mbit_per_second\":%.1f,"
                        + "\"loss_percent\":%.4f,%s}%n", sink, pairs, size, pps, warmup, result.sent(), result.received(),
                result.packetsPerSecond(), result.megabitsPerSecond(), result.lossPercent(), result.latency().json());
        return result.sent() > 0 && result.lossPercent() == 0 ? 0 : 1;
    }
}
