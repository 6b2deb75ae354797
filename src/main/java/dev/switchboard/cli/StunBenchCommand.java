package dev.switchboard.cli;

import dev.switchboard.bench.StunLoad;
import dev.switchboard.bench.UdpDrops;
import dev.switchboard.config.HostPort;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

/** {@code switchboard bench stun}: Binding requests per second and loss against a STUN responder. */
@Command(name = "stun", mixinStandardHelpOptions = true,
        description = "Send N Tailscale Binding requests over C sockets; report requests/s and loss.")
public class StunBenchCommand implements Callable<Integer> {
    @Option(names = "--addr", defaultValue = "127.0.0.1:3478", description = "STUN server host:port (default ${DEFAULT-VALUE})")
    String address;

    @Option(names = "--n", defaultValue = "100000", description = "Requests in total (default ${DEFAULT-VALUE})")
    long total;

    @Option(names = "--concurrency", defaultValue = "4", description = "Client sockets (default ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--window", defaultValue = "64", description = "Requests in flight per socket (default ${DEFAULT-VALUE})")
    int window;

    @Mixin
    ServerPidOption server;

    @Override
    public Integer call() throws Exception {
        HostPort target = HostPort.parse("--addr", address);
        OptionalLong rssBefore = server.residentBytes();
        OptionalLong dropsBefore = UdpDrops.receiveBufferErrors();
        StunLoad.Result result = new StunLoad(new InetSocketAddress(target.host(), target.port()), total, concurrency,
                window).run();
        OptionalLong rssAfter = server.residentBytes();
        OptionalLong dropsAfter = UdpDrops.receiveBufferErrors();
        long kernelDrops = dropsBefore.isPresent() && dropsAfter.isPresent()
                ? dropsAfter.getAsLong() - dropsBefore.getAsLong() : -1;
        double seconds = result.elapsed().toNanos() / 1e9;
        BenchReport report = new BenchReport("stun")
                .line("stun: %d sent, %d answered in %.2f s: %.0f requests/s, loss %.3f%%", result.sent(),
                        result.received(), seconds, result.requestsPerSecond(), result.lossPercent());
        if (kernelDrops >= 0) {
            report.line("kernel UDP receive-buffer drops during the run (whole machine): %d", kernelDrops);
        }
        if (rssBefore.isPresent() && rssAfter.isPresent()) {
            report.line("server RSS: %.1f MiB before, %.1f MiB after", rssBefore.getAsLong() / 1048576.0,
                    rssAfter.getAsLong() / 1048576.0);
        }
        return report.field("sent", result.sent()).field("received", result.received()).field("seconds", seconds, 3)
                .field("requests_per_second", result.requestsPerSecond(), 0)
                .field("loss_percent", result.lossPercent(), 4).field("kernel_rcvbuf_drops", kernelDrops)
                .field("rss_before", rssBefore.orElse(-1)).field("rss_after", rssAfter.orElse(-1))
                .print(result.lossPercent() == 0);
    }
}
