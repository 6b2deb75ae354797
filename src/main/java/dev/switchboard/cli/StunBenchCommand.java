package dev.switchboard.cli;

import dev.switchboard.bench.ProcessMemory;
import dev.switchboard.bench.StunLoad;
import dev.switchboard.config.HostPort;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.util.Locale;
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

    @Option(names = "--window", defaultValue = "32", description = "Requests in flight per socket (default ${DEFAULT-VALUE})")
    int window;

    @Option(names = "--pid", description = "Server PID: report its RSS before and after")
    Long pid;

    @Override
    public Integer call() throws Exception {
        HostPort target = HostPort.parse("--addr", address);
        OptionalLong rssBefore = pid == null ? OptionalLong.empty() : ProcessMemory.residentBytes(pid);
        StunLoad.Result result = new StunLoad(new InetSocketAddress(target.host(), target.port()), total, concurrency,
                window).run();
        OptionalLong rssAfter = pid == null ? OptionalLong.empty() : ProcessMemory.residentBytes(pid);
        System.out.printf(Locale.ROOT, "stun: %d sent, %d answered in %.2f s: %.0f requests/s, loss %.3f%%%n",
                result.sent(), result.received(), result.elapsed().toNanos() / 1e9, result.requestsPerSecond(),
                result.lossPercent());
        if (rssBefore.isPresent() && rssAfter.isPresent()) {
            System.out.printf(Locale.ROOT, "server RSS: %.1f MiB before, %.1f MiB after%n",
                    rssBefore.getAsLong() / 1048576.0, rssAfter.getAsLong() / 1048576.0);
        }
        System.out.printf(Locale.ROOT, "{\"bench\":\"stun\",\"sent\":%d,\"received\":%d,\"seconds\":%.3f,"
                        + "\"requests_per_second\":%.0f,\"loss_percent\":%.4f,\"rss_before\":%d,\"rss_after\":%d}%n",
                result.sent(), result.received(), result.elapsed().toNanos() / 1e9, result.requestsPerSecond(),
                result.lossPercent(), rssBefore.orElse(-1), rssAfter.orElse(-1));
        return result.lossPercent() == 0 ? 0 : 1;
    }
}
